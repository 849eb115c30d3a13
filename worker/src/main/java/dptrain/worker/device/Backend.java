package dptrain.worker.device;

/** The ND4J backend this jar was built with: {@code cpu} (default) or {@code cuda} ({@code -Pcuda}). */
public enum Backend {
    CPU,
    CUDA;

    /** nd4j-cuda's {@code Nd4jBackend}; looked up without initialising it or loading any native library. */
    static final String CUDA_BACKEND_CLASS = "org.nd4j.linalg.jcublas.JCublasBackend";

    /** The backend on this class path: CUDA when nd4j-cuda is there (the -Pcuda build swaps out nd4j-native). */
    public static Backend onClasspath() {
        ClassLoader loader = Thread.currentThread().getContextClassLoader();
        try {
            Class.forName(CUDA_BACKEND_CLASS, false, loader != null ? loader : Backend.class.getClassLoader());
            return CUDA;
        } catch (ClassNotFoundException | LinkageError e) {
            return CPU;
        }
    }
}
