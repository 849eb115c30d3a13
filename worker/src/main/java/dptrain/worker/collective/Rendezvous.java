package dptrain.worker.collective;

/**
 * How the ranks of a collective find each other before they talk peer to peer. In a Spark
 * barrier stage this is {@code BarrierTaskContext.allGather}; tests use an in-memory one.
 */
@FunctionalInterface
public interface Rendezvous {

    /**
     * Blocks until every rank has contributed its message and returns all messages, indexed by
     * rank.
     */
    String[] allGather(String message);
}
