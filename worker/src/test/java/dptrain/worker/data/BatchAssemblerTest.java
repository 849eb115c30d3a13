package dptrain.worker.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

/** The assembler reuses its matrices: every call must still hold exactly the rows it was asked for. */
class BatchAssemblerTest {

    /** Four rows of three features (row r holds r*10, r*10+1, r*10+2); class labels 2, 0, 1, 2. */
    private static final ShardBlock BLOCK = new ShardBlock(4, 3, 1,
            new float[] {0, 1, 2, 10, 11, 12, 20, 21, 22, 30, 31, 32}, new float[] {2, 0, 1, 2});

    @Test
    void consecutiveBatchesOverwriteTheReusedMatricesCompletely() {
        BatchAssembler assembler = new BatchAssembler(BLOCK, 3);
        int[] order = {3, 0, 2, 1};

        INDArray first = assembler.features(order, 0, 2);
        assertArrayEquals(new float[] {30, 31, 32, 0, 1, 2}, first.data().asFloat());
        assertArrayEquals(new float[] {0, 0, 1, 0, 0, 1}, assembler.labels(order, 0, 2).data().asFloat());

        INDArray second = assembler.features(order, 2, 2);
        assertSame(first, second, "same row count: the matrix is reused");
        assertArrayEquals(new float[] {20, 21, 22, 10, 11, 12}, second.data().asFloat());
        // the previous one-hot entries are cleared, not left beside the new ones
        assertArrayEquals(new float[] {0, 1, 0, 1, 0, 0}, assembler.labels(order, 2, 2).data().asFloat());

        INDArray last = assembler.features(order, 1, 3);
        assertArrayEquals(new long[] {3, 3}, last.shape());
        assertArrayEquals(new float[] {0, 1, 2, 20, 21, 22, 10, 11, 12}, last.data().asFloat());
        assertEquals(0, assembler.features(order, 4, 0).size(0));
    }

    @Test
    void regressionLabelsAreCopiedAsTheyAre() {
        ShardBlock block = new ShardBlock(3, 1, 2, new float[] {1, 2, 3}, new float[] {0.5f, 1.5f, 2.5f, 3.5f, 4.5f, 5.5f});
        BatchAssembler assembler = new BatchAssembler(block, 0);
        int[] order = {2, 1, 0};
        assertArrayEquals(new float[] {4.5f, 5.5f, 2.5f, 3.5f}, assembler.labels(order, 0, 2).data().asFloat());
        assertArrayEquals(new float[] {2.5f, 3.5f, 0.5f, 1.5f}, assembler.labels(order, 1, 2).data().asFloat());
    }
}
