package dptrain.worker.collective;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * What a rank publishes at the rendezvous: the "host:port" its ring listens on, followed by its
 * JVM's id, so that ranks which all turn out to be threads of one JVM can tell. Everything here
 * reads text that came over the network, so its length is bounded and every flaw is reported as
 * a line naming the rank that published it.
 */
final class PeerAddress {

    /** Longest accepted "host:port" from the rendezvous. */
    static final int MAX_CHARS = 300;
    /** Between a rank's "host:port" and its JVM's id in what it publishes. */
    private static final String JVM_SEPARATOR = " ";

    private PeerAddress() {
    }

    /** "host:port jvm": what a rank listening at {@code hostPort} in this JVM publishes. */
    static String published(String hostPort) {
        return hostPort + JVM_SEPARATOR + LocalCollective.JVM;
    }

    /** Whether a published "host:port jvm" names this JVM. */
    static boolean inThisJvm(String published) {
        return published != null && published.endsWith(JVM_SEPARATOR + LocalCollective.JVM);
    }

    /** Parses "host:port" or "[ipv6]:port", maybe followed by its JVM's id, published by rank {@code peer}. */
    static InetSocketAddress parse(String published, int rank, int peer) {
        int separator = published == null ? -1 : published.indexOf(JVM_SEPARATOR);
        try {
            return resolve(separator < 0 ? published : published.substring(0, separator));
        } catch (IllegalArgumentException e) {
            throw new CollectiveException("rank " + rank + ": rank " + peer + " published address '"
                    + shown(published) + "' but " + e.getMessage());
        }
    }

    /**
     * Resolves "host:port" or "[ipv6]:port"; what is wrong with it is the message of an
     * {@link IllegalArgumentException}.
     */
    static InetSocketAddress resolve(String address) {
        if (address == null || address.length() > MAX_CHARS || address.lastIndexOf(':') <= 0) {
            throw new IllegalArgumentException("it is not host:port");
        }
        int colon = address.lastIndexOf(':');
        String host = address.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port;
        try {
            port = Integer.parseInt(address.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("the port is not a number");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port " + port + " is outside 1..65535");
        }
        try {
            return new InetSocketAddress(InetAddress.getByName(host), port);
        } catch (IOException e) {
            throw new IllegalArgumentException("the host does not resolve: " + e);
        }
    }

    /** An address as shown in messages: at most 80 characters of it. */
    static String shown(String address) {
        return address == null ? "null" : address.substring(0, Math.min(address.length(), 80));
    }
}
