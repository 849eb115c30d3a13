package dptrain.bench;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import org.deeplearning4j.datasets.iterator.ExistingDataSetIterator;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;

/**
 * Peer: plain DL4J, one process, {@code MultiLayerNetwork.fit} over a {@code DataSetIterator} of
 * batch 64. ND4J's thread count comes from {@code OMP_NUM_THREADS}, set by the harness.
 *
 * <p>Timed per epoch: shuffling, assembling the batches and {@code fit}; the test evaluation
 * after each epoch is not timed.
 *
 * <p>{@code --epochs E --batch 64 --data DIR --result FILE}
 */
public final class SingleProcessDl4j {

    private SingleProcessDl4j() {
    }

    public static void main(String[] args) {
        int epochs = Integer.parseInt(ResultFile.option(args, "epochs", "3"));
        int batch = Integer.parseInt(ResultFile.option(args, "batch", "64"));
        Path data = Path.of(ResultFile.option(args, "data", FashionMnist.DEFAULT_DIR.toString()));
        FashionMnist train = FashionMnist.train(data);
        FashionMnist test = FashionMnist.test(data);

        MultiLayerNetwork net = new MultiLayerNetwork(Mlp.configuration());
        net.init();
        ObjectNode result = ResultFile.create();
        ArrayNode seconds = result.putArray("epoch_seconds");
        ArrayNode accuracy = result.putArray("test_accuracy");
        for (int epoch = 0; epoch < epochs; epoch++) {
            long begin = System.nanoTime();
            ExistingDataSetIterator iterator = new ExistingDataSetIterator(
                    train.batches(train.shuffledOrder(Mlp.SEED + epoch), batch));
            net.fit(iterator);
            double elapsed = (System.nanoTime() - begin) / 1e9;
            seconds.add(elapsed);
            accuracy.add(Mlp.accuracy(net, test));
            System.out.printf("dl4j epoch %d: %.2f s, test accuracy %.4f%n", epoch + 1, elapsed,
                    accuracy.get(epoch).asDouble());
        }
        result.put("train_rows", train.rows());
        result.put("config", "MultiLayerNetwork.fit(DataSetIterator), batch " + batch);
        ResultFile.write(ResultFile.option(args, "result", "dl4j.json"), result);
    }
}
