package dptrain.driver.engine;

import dptrain.worker.eval.EvaluationTotals;
import dptrain.worker.step.NetworkState;

/** Evaluates a state on a fixed data set (validation, test). */
@FunctionalInterface
public interface Evaluator {

    EvaluationTotals evaluate(NetworkState state);
}
