package dptrain.worker.task;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dptrain.worker.collective.AllReduceEncryption;
import org.apache.spark.SparkConf;
import org.junit.jupiter.api.Test;

class CollectiveKeyTest {

    /** RFC 4231 test case 2: the derivation is plain HMAC-SHA256(Spark secret, shipped nonce). */
    @Test
    void derivationIsHmacSha256OfTheNonceUnderTheSparkSecret() {
        byte[] key = CollectiveKey.derive("Jefe", "what do ya want for nothing?".getBytes(StandardCharsets.US_ASCII));
        assertEquals("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
                HexFormat.of().formatHex(key));
    }

    @Test
    void anotherApplicationSecretGivesAnotherKeyForTheSameNonce() {
        byte[] nonce = new byte[32];
        Arrays.fill(nonce, (byte) 7);
        byte[] ours = CollectiveKey.derive("application-secret-1", nonce);
        assertFalse(Arrays.equals(ours, CollectiveKey.derive("application-secret-2", nonce)));
        assertArrayEquals(ours, CollectiveKey.derive("application-secret-1", nonce.clone()));
    }

    @Test
    void withoutSparkAuthenticationTheShippedBytesAreTheKey() {
        byte[] shipped = new byte[32];
        Arrays.fill(shipped, (byte) 3);
        // No SparkEnv in this JVM (or spark.authenticate unset): nothing is derived.
        assertArrayEquals(shipped, CollectiveKey.forThisProcess(shipped));
    }

    @Test
    void allReduceEncryptsWhenSparkEncryptsOrWhenAskedTo() {
        assertFalse(CollectiveKey.encryption(new SparkConf(false)));
        assertTrue(CollectiveKey.encryption(new SparkConf(false).set("spark.network.crypto.enabled", "true")));
        assertTrue(CollectiveKey.encryption(new SparkConf(false).set("spark.ssl.enabled", "true")));
        assertTrue(CollectiveKey.encryption(new SparkConf(false).set(CollectiveKey.ENCRYPTION_CONF, "true")));
        assertFalse(CollectiveKey.encryption(new SparkConf(false).set("spark.ssl.enabled", "true")
                .set(CollectiveKey.ENCRYPTION_CONF, "false")));
        assertTrue(CollectiveKey.encryption(new SparkConf(false).set("spark.network.crypto.enabled", "true")
                .set(CollectiveKey.ENCRYPTION_CONF, "auto")));
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
                () -> CollectiveKey.encryption(new SparkConf(false).set(CollectiveKey.ENCRYPTION_CONF, "on")));
        assertEquals("spark.dptrain.allreduce.encryption: unknown value 'on'; use auto (the default: encrypt when"
                + " Spark encrypts), true or false", bad.getMessage());
    }

    @Test
    void theJobsOwnChoiceComesFirstAndAutoFollowsTheApplication() {
        SparkConf plain = new SparkConf(false);
        SparkConf sparkEncrypts = new SparkConf(false).set("spark.network.crypto.enabled", "true");
        assertTrue(CollectiveKey.encryption(AllReduceEncryption.TRUE, plain));
        assertFalse(CollectiveKey.encryption(AllReduceEncryption.FALSE, sparkEncrypts));
        assertFalse(CollectiveKey.encryption(AllReduceEncryption.AUTO, plain));
        assertTrue(CollectiveKey.encryption(AllReduceEncryption.AUTO, sparkEncrypts));
        assertTrue(CollectiveKey.encryption(AllReduceEncryption.AUTO,
                new SparkConf(false).set(CollectiveKey.ENCRYPTION_CONF, "true")));
    }
}
