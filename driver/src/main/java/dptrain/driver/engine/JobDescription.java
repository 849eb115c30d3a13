package dptrain.driver.engine;

import java.util.function.Supplier;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * Spark job descriptions, what the Spark UI (and {@code SparkListenerJobStart}'s properties) name
 * a job by. Spark keeps a description on the calling thread for every later job, so one set for
 * an epoch would also label the next run's data preparation or a notebook's own jobs; this sets it
 * for one piece of work and then gives the caller back its own.
 */
public final class JobDescription {

    /** The local property behind {@code setJobDescription} ({@code SparkContext.SPARK_JOB_DESCRIPTION}). */
    static final String PROPERTY = "spark.job.description";

    private JobDescription() {
    }

    /** Runs {@code work} with its Spark jobs described as {@code description}. */
    public static <T> T during(JavaSparkContext spark, String description, Supplier<T> work) {
        String caller = spark.getLocalProperty(PROPERTY);
        spark.setJobDescription(description);
        try {
            return work.get();
        } finally {
            spark.setJobDescription(caller); // null removes it
        }
    }
}
