package dptrain.worker.task;

import dptrain.worker.collective.AllReduceEncryption;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.apache.spark.SparkConf;
import org.apache.spark.SparkEnv;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The key the all-reduce handshake proves, derived from what the driver ships with the epoch
 * plan. Without Spark authentication the shipped 32 random bytes are the key. With
 * {@code spark.authenticate=true} they are only a per-job nonce: the key is
 * HMAC-SHA256(Spark's application secret, nonce), computed inside each executor (and the driver,
 * for the epoch's rendezvous) from the secret Spark gave it, so the key never travels (not even
 * inside the task closure) and a process that does not hold the application's secret cannot join
 * the ring. Driver and executors read the same
 * application-wide {@code spark.authenticate}, so every rank derives the same key.
 *
 * <p>Whether the all-reduce encrypts its frames is decided once, on the driver
 * ({@link #encryption(AllReduceEncryption, SparkConf)}), and travels in the epoch's plan, so every
 * rank and the driver's rendezvous agree.
 */
public final class CollectiveKey {

    static final String AUTHENTICATE = "spark.authenticate";
    /** Spark setting: whether the all-reduce encrypts, {@code auto} (the default), {@code true} or {@code false}. */
    public static final String ENCRYPTION_CONF = "spark.dptrain.allreduce.encryption";
    /** Spark's own settings that make {@code auto} encrypt. */
    static final String SPARK_NETWORK_CRYPTO = "spark.network.crypto.enabled";
    static final String SPARK_SSL = "spark.ssl.enabled";
    private static final String ALGORITHM = "HmacSHA256";
    private static final Logger LOG = LoggerFactory.getLogger(CollectiveKey.class);
    private static final AtomicBoolean ANNOUNCED = new AtomicBoolean();

    private CollectiveKey() {
    }

    /**
     * The key of this process's Spark application for the shipped bytes: in an executor for the
     * ring, in the driver for the epoch's rendezvous (both hold the application's secret).
     */
    public static byte[] forThisProcess(byte[] shipped) {
        SparkEnv env = SparkEnv.get();
        if (env == null || !env.conf().getBoolean(AUTHENTICATE, false)) {
            return shipped;
        }
        String sparkSecret = env.securityManager().getSecretKey();
        if (sparkSecret == null || sparkSecret.isEmpty()) {
            throw new IllegalStateException(AUTHENTICATE + " is true but this executor was given no Spark secret");
        }
        if (ANNOUNCED.compareAndSet(false, true)) {
            LOG.info("all-reduce key derived from the Spark application secret ({}=true)", AUTHENTICATE);
        }
        return derive(sparkSecret, shipped);
    }

    /**
     * Whether a job's all-reduce and rendezvous encrypt, decided once on the driver: the job's own
     * choice ({@code training.allreduce_encryption}), and where it says {@code auto} the
     * application's {@value #ENCRYPTION_CONF}, whose default {@code auto} follows Spark's
     * {@value #SPARK_NETWORK_CRYPTO} and {@value #SPARK_SSL}.
     */
    public static boolean encryption(AllReduceEncryption job, SparkConf conf) {
        return job.encrypts(encryption(conf));
    }

    /** What {@code conf} decides for the all-reduce's encryption. */
    static boolean encryption(SparkConf conf) {
        AllReduceEncryption choice = AllReduceEncryption.parse(ENCRYPTION_CONF, conf.get(ENCRYPTION_CONF, "auto"));
        return choice.encrypts(conf.getBoolean(SPARK_NETWORK_CRYPTO, false) || conf.getBoolean(SPARK_SSL, false));
    }

    /** HMAC-SHA256 of the nonce under the Spark secret: 32 bytes. */
    static byte[] derive(String sparkSecret, byte[] nonce) {
        try {
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(new SecretKeySpec(sparkSecret.getBytes(StandardCharsets.UTF_8), ALGORITHM));
            return mac.doFinal(nonce);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(ALGORITHM + " unavailable", e);
        }
    }
}
