package dptrain.driver.loop;

import dptrain.worker.eval.EvaluationTotals;
import dptrain.worker.step.NetworkState;

/** Evaluates a state on a fixed data set (validation, test). */
@FunctionalInterface
public interface Evaluator {

    EvaluationTotals evaluate(NetworkState state);
}
