package dptrain.driver.config;

import java.util.List;

/**
 * Where the data is and how to read it.
 *
 * @param format             file format of train (and test)
 * @param train              any Hadoop URI; for IDX the images file, labels are found beside it
 * @param test               optional test set in the same format, or {@code null}
 * @param label              label column (CSV/Parquet), or {@code null} for IDX/LibSVM
 * @param features           feature columns (CSV/Parquet), or an empty list for "all but the label"
 * @param header             whether a CSV file starts with a header line
 * @param validationFraction fraction of train held out for validation, in [0, 1)
 * @param normalize          feature normalisation, statistics taken from the training split
 * @param scale              the divisor for {@link Normalization#SCALE}
 * @param numFeatures        LibSVM feature count, or 0 to infer it from the data
 */
public record DataSpec(DataFormat format, String train, String test, String label, List<String> features,
                       boolean header, double validationFraction, Normalization normalize, double scale,
                       int numFeatures) {

    public DataSpec {
        features = List.copyOf(features);
    }
}
