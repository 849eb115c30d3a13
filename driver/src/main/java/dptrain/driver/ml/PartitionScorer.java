package dptrain.driver.ml;

import dptrain.worker.device.DeviceBinding;
import dptrain.worker.score.BatchScorer;
import dptrain.worker.score.ScoringModel;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;

/**
 * The Spark task of a transform: rebuilds the broadcast network once per partition and scores the
 * rows in chunks of {@link BatchScorer#CHUNK_ROWS}, each output row being the input row plus the
 * {@link ScoredColumns}. An optional affine scaling {@code (x - offset) / divisor}, computed in
 * float32 exactly as training normalised, is applied first.
 */
final class PartitionScorer implements MapPartitionsFunction<Row, Row> {

    private static final long serialVersionUID = 1L;

    private final Broadcast<ScoringModel> model;
    private final int featureIndex;
    private final String featuresCol;
    private final ScoredColumns columns;
    private final float[] offset;
    private final float[] divisor;

    /**
     * @param offset  per-feature offset, or {@code null} for none
     * @param divisor per-feature divisor, or {@code null} for none
     */
    PartitionScorer(Broadcast<ScoringModel> model, int featureIndex, String featuresCol, ScoredColumns columns,
                    float[] offset, float[] divisor) {
        this.model = model;
        this.featureIndex = featureIndex;
        this.featuresCol = featuresCol;
        this.columns = columns;
        this.offset = offset;
        this.divisor = divisor;
    }

    @Override
    public Iterator<Row> call(Iterator<Row> rows) {
        if (!rows.hasNext()) {
            return Collections.emptyIterator();
        }
        DeviceBinding.bindForTask(TaskContext.get());
        BatchScorer scorer = new BatchScorer(model.value());
        return new Iterator<>() {
            private final List<Row> chunk = new ArrayList<>();
            private float[] outputs;
            private int width;
            private int position;

            @Override
            public boolean hasNext() {
                return position < chunk.size() || rows.hasNext();
            }

            @Override
            public Row next() {
                if (position == chunk.size()) {
                    if (!rows.hasNext()) {
                        throw new NoSuchElementException();
                    }
                    score();
                }
                Row row = chunk.get(position);
                Object[] values = new Object[row.size() + columns.count()];
                for (int i = 0; i < row.size(); i++) {
                    values[i] = row.get(i);
                }
                columns.fill(outputs, position * width, width, values, row.size());
                position++;
                return RowFactory.create(values);
            }

            private void score() {
                chunk.clear();
                position = 0;
                int count = scorer.featureCount();
                while (chunk.size() < BatchScorer.CHUNK_ROWS && rows.hasNext()) {
                    chunk.add(rows.next());
                }
                float[] features = new float[chunk.size() * count];
                for (int r = 0; r < chunk.size(); r++) {
                    Row row = chunk.get(r);
                    if (row.isNullAt(featureIndex)) {
                        throw new IllegalArgumentException("featuresCol: column '" + featuresCol
                                + "' has a missing value");
                    }
                    Vector vector = (Vector) row.get(featureIndex);
                    if (vector.size() != count) {
                        throw new IllegalArgumentException("featuresCol: column '" + featuresCol
                                + "' has a vector of length " + vector.size() + "; the model takes " + count
                                + " features");
                    }
                    for (int j = 0; j < count; j++) {
                        float x = (float) vector.apply(j);
                        features[r * count + j] = offset == null ? x : (x - offset[j]) / divisor[j];
                    }
                }
                outputs = scorer.score(features, chunk.size());
                width = chunk.isEmpty() ? 0 : outputs.length / chunk.size();
            }
        };
    }
}
