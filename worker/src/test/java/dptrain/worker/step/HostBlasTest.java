package dptrain.worker.step;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/** OpenBLAS called directly must give ND4J's products for every layout and transposition. */
class HostBlasTest {

    @Test
    void isFoundOnTheCpuBackend() {
        assertTrue(Nd4j.getEnvironment().isCPU());
        assertTrue(HostBlas.available(), "cblas_sgemm of OpenBLAS, as ND4J's CPU backend loads it");
    }

    @Test
    void productsEqualNd4jForEveryLayoutAndTransposition() {
        Nd4j.getRandom().setSeed(7);
        int m = 5;
        int k = 7;
        int n = 3;
        INDArray a = Nd4j.rand(DataType.FLOAT, m, k).subi(0.5);
        INDArray b = Nd4j.rand(DataType.FLOAT, k, n).subi(0.5);
        INDArray expected = a.mmul(b);
        for (char orderA : new char[] {'c', 'f'}) {
            for (char orderB : new char[] {'c', 'f'}) {
                for (boolean transposeA : new boolean[] {false, true}) {
                    for (boolean transposeB : new boolean[] {false, true}) {
                        // store the transpose when the product is to transpose it back
                        INDArray left = (transposeA ? a.transpose() : a).dup(orderA);
                        INDArray right = (transposeB ? b.transpose() : b).dup(orderB);
                        INDArray product = Nd4j.create(DataType.FLOAT, new long[] {m, n}, 'f');
                        HostBlas.multiply(HostBlas.Matrix.of(left), transposeA, HostBlas.Matrix.of(right), transposeB,
                                HostBlas.Matrix.of(product));
                        String what = orderA + (transposeA ? "T" : "") + " x " + orderB + (transposeB ? "T" : "");
                        assertTrue(expected.equalsWithEps(product, 1e-6), what + ": " + product + " vs " + expected);
                    }
                }
            }
        }
    }

    @Test
    void readsViewsFromTheirFirstElement() {
        INDArray whole = Nd4j.linspace(DataType.FLOAT, 1, 40, 1).reshape('c', 8, 5);
        INDArray rows = whole.get(NDArrayIndex.interval(3, 6), NDArrayIndex.all()); // 3 x 5 at offset 15
        INDArray identity = Nd4j.eye(5).castTo(DataType.FLOAT).dup('f');
        INDArray product = Nd4j.create(DataType.FLOAT, new long[] {3, 5}, 'f');
        HostBlas.multiply(HostBlas.Matrix.of(rows), false, HostBlas.Matrix.of(identity), false,
                HostBlas.Matrix.of(product));
        assertEquals(rows, product);
        assertEquals(16f, HostBlas.Matrix.of(rows).floats().get(HostBlas.Matrix.of(rows).at(0, 0)));
    }

    @Test
    void refusesWhatBlasCannotReadOrWrite() {
        INDArray whole = Nd4j.rand(DataType.FLOAT, 6, 8);
        assertNull(HostBlas.Matrix.of(whole.get(NDArrayIndex.interval(0, 2, 6), NDArrayIndex.interval(0, 2, 8))),
                "no unit stride");
        assertNull(HostBlas.Matrix.of(Nd4j.rand(DataType.DOUBLE, 3, 3)), "not float");
        assertNull(HostBlas.Matrix.of(Nd4j.rand(DataType.FLOAT, 2, 3, 4)), "not a matrix");
        HostBlas.Matrix square = HostBlas.Matrix.of(Nd4j.rand(DataType.FLOAT, 3, 3));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> HostBlas.multiply(square, false, square, false, square));
        assertEquals("the product is written column-major, not into a 'c'-order array", e.getMessage());
    }
}
