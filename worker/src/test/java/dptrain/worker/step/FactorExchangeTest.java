package dptrain.worker.step;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dptrain.worker.collective.Collective;
import dptrain.worker.testing.TinyNetworks;
import java.util.Optional;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Sgd;

/**
 * Which layers go as factors, and the check that every rank's products agree. That training with
 * the factor exchange equals single-process DL4J is {@code DataParallelExactnessTest}'s.
 */
class FactorExchangeTest {

    @Test
    void layersGoAsFactorsWhereAllRanksFactorsTakeAtMostTheFloatsOfTheGradient() {
        DenseGradients dense = wideClassifier();
        // 12-64-32-3: factors of a layer take ranks * part rows * (in + out) floats, its gradient in * out
        assertArrayEquals(new boolean[] {true, true, true}, plan(dense, 2, 1).orElseThrow().factoredLayers());
        assertArrayEquals(new boolean[] {true, true, false}, plan(dense, 2, 5).orElseThrow().factoredLayers());
        assertArrayEquals(new boolean[] {false, true, false}, plan(dense, 2, 6).orElseThrow().factoredLayers());
        assertTrue(plan(dense, 2, 11).isEmpty(), "2 x 11 rows x 96 > 64 x 32: no layer");
        assertTrue(plan(dense, 1, 1).isEmpty(), "one rank exchanges nothing");
    }

    @Test
    void ranksThatMultiplyDifferentlyFallBackToTheGradientAllReduce() {
        FactorExchange exchange = plan(wideClassifier(), 2, 2).orElseThrow();
        // rank 1 reports the same hash as rank 0: they agree
        assertTrue(exchange.ranksAgree(new TwoRanks(hashes -> {
            hashes[2] = hashes[0];
            hashes[3] = hashes[1];
        })));
        // rank 1's product differs in some bit: its hash differs
        assertFalse(exchange.ranksAgree(new TwoRanks(hashes -> {
            hashes[2] = hashes[0];
            hashes[3] = (hashes[1] + 1) % 65536;
        })));
    }

    private static Optional<FactorExchange> plan(DenseGradients dense, int ranks, int maxPartRows) {
        return FactorExchange.plan(dense, 0, ranks, maxPartRows, network.flattenedGradients());
    }

    private static Network network;

    private static DenseGradients wideClassifier() {
        network = Network.fromJson(TinyNetworks.wideClassifier(new Sgd(0.1), 0, 3));
        network.init();
        network.computeGradientAndScore(Nd4j.rand(DataType.FLOAT, 4, TinyNetworks.INPUTS),
                Nd4j.eye(TinyNetworks.CLASSES).castTo(DataType.FLOAT).get(
                        org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 3), org.nd4j.linalg.indexing.NDArrayIndex.all())
                        .repeat(0, 1).getRows(0, 1, 2, 0));
        return DenseGradients.forNetwork(network).orElseThrow();
    }

    /** Rank 0 of two, whose "rank 1" writes its part of the sum as {@code peer} says. */
    private record TwoRanks(Consumer<float[]> peer) implements Collective {
        @Override
        public int rank() {
            return 0;
        }

        @Override
        public int size() {
            return 2;
        }

        @Override
        public void allReduceSum(float[] buffer) {
            peer.accept(buffer);
        }

        @Override
        public void allGather(float[] buffer) {
            throw new AssertionError("the check all-reduces");
        }

        @Override
        public void close() {
        }
    }
}
