/**
 * Per-iteration learning-rate schedules as DL4J {@link org.nd4j.linalg.schedule.ISchedule}s.
 *
 * <p>They are attached to the updater ({@code IUpdater} with an {@code ISchedule}), so they travel
 * inside the network configuration's JSON (Jackson beans, like {@code dptrain.worker.step.Momentum})
 * and every rank computes the same rate from the same global iteration count. All of them are
 * functions of the iteration only; the epoch argument is ignored.
 */
package dptrain.worker.schedule;
