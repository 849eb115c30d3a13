package dptrain.worker.device;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.factory.Nd4j;

class CpuThreadsTest {

    @Test
    void aTaskUsesItsSparkCpusUnlessOmpNumThreadsIsSet() {
        assertEquals(OptionalInt.of(1), CpuThreads.forTask(null, 1));
        assertEquals(OptionalInt.of(4), CpuThreads.forTask(null, 4));
        assertEquals(OptionalInt.of(1), CpuThreads.forTask("", 0));
        assertEquals(OptionalInt.empty(), CpuThreads.forTask("2", 1));
    }

    @Test
    void applyingSetsOpenBlasAndNd4jThreads() {
        int blas = Nd4j.factory().blas().getMaxThreads();
        int master = Nd4j.getEnvironment().maxMasterThreads();
        try {
            for (int threads : new int[] {1, 2, 1}) {
                CpuThreads.apply(threads);
                assertEquals(threads, Nd4j.factory().blas().getMaxThreads());
                assertEquals(Math.min(threads, Nd4j.getEnvironment().maxThreads()),
                        Nd4j.getEnvironment().maxMasterThreads());
            }
        } finally {
            Nd4j.factory().blas().setMaxThreads(blas);
            Nd4j.getEnvironment().setMaxMasterThreads(master);
        }
    }
}
