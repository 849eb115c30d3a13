package dptrain.worker.collective;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class CollectiveSettingsTest {

    @Test
    void rejectsShortSecretsBlankTagsAndNonPositiveTimeouts() {
        IllegalArgumentException shortSecret = assertThrows(IllegalArgumentException.class,
                () -> new CollectiveSettings(new byte[15], "tag", Rings.loopback(), Duration.ofSeconds(1)));
        assertEquals("secret has 15 bytes; at least 16 are required", shortSecret.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> new CollectiveSettings(new byte[16], " ", Rings.loopback(), Duration.ofSeconds(1)));
        assertThrows(IllegalArgumentException.class,
                () -> new CollectiveSettings(new byte[16], "tag", Rings.loopback(), Duration.ZERO));
        assertThrows(IllegalArgumentException.class,
                () -> new CollectiveSettings(new byte[16], "tag", Rings.loopback(), Duration.ofSeconds(-1)));
        assertThrows(NullPointerException.class,
                () -> new CollectiveSettings(null, "tag", Rings.loopback(), Duration.ofSeconds(1)));
        assertThrows(NullPointerException.class,
                () -> new CollectiveSettings(new byte[16], "tag", null, Duration.ofSeconds(1)));
    }

    @Test
    void keepsItsOwnCopyOfTheSecretAndNeverPrintsIt() {
        byte[] secret = "0123456789abcdef".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        CollectiveSettings settings = new CollectiveSettings(secret, "tag", Rings.loopback(), Duration.ofSeconds(1));
        secret[0] = 'X';
        assertEquals('0', settings.secret()[0]);
        settings.secret()[1] = 'Y';
        assertEquals('1', settings.secret()[1]);
        assertFalse(settings.toString().contains("0123456789abcdef"), settings.toString());
        assertTrue(settings.toString().contains("16 bytes"), settings.toString());
    }

    @Test
    void equalityComparesTheSecretsContents() {
        CollectiveSettings a = new CollectiveSettings(new byte[16], "tag", Rings.loopback(), Duration.ofSeconds(1));
        CollectiveSettings b = new CollectiveSettings(new byte[16], "tag", Rings.loopback(), Duration.ofSeconds(1));
        byte[] other = new byte[16];
        other[5] = 1;
        CollectiveSettings c = new CollectiveSettings(other, "tag", Rings.loopback(), Duration.ofSeconds(1));
        assertEquals(a, b);
        assertEquals(a.hashCode(), b.hashCode());
        assertNotEquals(a, c);
        assertArrayEquals(new byte[16], a.secret());
    }

    @Test
    void encryptionIsOffUnlessAskedForAndTakesPartInEquality() {
        CollectiveSettings plain = new CollectiveSettings(new byte[16], "tag", Rings.loopback(), Duration.ofSeconds(1));
        CollectiveSettings encrypted = plain.withEncryption(true);
        assertFalse(plain.encrypted());
        assertTrue(encrypted.encrypted());
        assertEquals(plain.sessionTag(), encrypted.sessionTag());
        assertArrayEquals(plain.secret(), encrypted.secret());
        assertNotEquals(plain, encrypted);
        assertEquals(plain, encrypted.withEncryption(false));
        assertTrue(encrypted.toString().endsWith(", encrypted=true]"), encrypted.toString());
    }

    @Test
    void encryptionChoiceParsesAutoTrueFalseAndFollowsSparkOnAuto() {
        assertEquals(AllReduceEncryption.AUTO, AllReduceEncryption.parse("k", " Auto "));
        assertTrue(AllReduceEncryption.parse("k", "true").encrypts(false));
        assertFalse(AllReduceEncryption.parse("k", "false").encrypts(true));
        assertTrue(AllReduceEncryption.AUTO.encrypts(true));
        assertFalse(AllReduceEncryption.AUTO.encrypts(false));
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
                () -> AllReduceEncryption.parse("spark.dptrain.allreduce.encryption", "yes"));
        assertEquals("spark.dptrain.allreduce.encryption: unknown value 'yes'; use auto (the default: encrypt when"
                + " Spark encrypts), true or false", bad.getMessage());
    }
}
