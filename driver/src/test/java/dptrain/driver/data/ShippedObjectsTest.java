package dptrain.driver.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.Partitioner;
import org.junit.jupiter.api.Test;

/** What the driver ships to executors survives Java serialization; the split is a pure function. */
class ShippedObjectsTest {

    @SuppressWarnings("unchecked")
    private static <T> T roundTrip(T value) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(value);
        }
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            return (T) in.readObject();
        }
    }

    @Test
    void hadoopConfigurationTravelsWithItsSettings() throws Exception {
        Configuration conf = new Configuration(false);
        conf.set("fs.s3a.endpoint", "http://127.0.0.1:9000");
        DataFiles.HadoopConf copy = roundTrip(new DataFiles.HadoopConf(conf));
        assertEquals("http://127.0.0.1:9000", copy.get().get("fs.s3a.endpoint"));
    }

    @Test
    void splitDependsOnlyOnSeedAndIndex() throws Exception {
        ValidationSplit split = roundTrip(new ValidationSplit(9L, 0.5));
        int held = 0;
        for (long i = 0; i < 10_000; i++) {
            assertEquals(new ValidationSplit(9L, 0.5).isValidation(i), split.isValidation(i));
            held += split.isValidation(i) ? 1 : 0;
        }
        assertEquals(5000, held, 150);
        assertNotEquals(ValidationSplit.unit(9L, 3), ValidationSplit.unit(10L, 3));
        assertEquals(false, new ValidationSplit(9L, 0.0).isValidation(3));
    }

    @Test
    void shardPartitionerIsPositionModuloWorkers() throws Exception {
        Partitioner partitioner = roundTrip(new Sharding(3).partitioner());
        assertEquals(3, partitioner.numPartitions());
        assertEquals(2, partitioner.getPartition(5L));
        assertEquals(new Sharding(3).partitioner(), partitioner);
        assertEquals(new Sharding(3), roundTrip(new Sharding(3)));
    }
}
