/**
 * The job spec: a YAML file plus {@code key=value} overrides become the immutable, validated
 * {@link dptrain.driver.config.JobSpec} records that the rest of the driver reads; the first stage
 * of the data flow from spec to saved model.
 *
 * <p>Each key is declared once, as a {@code SpecKey} in the declaration class of its section
 * ({@code DataKeys}, {@code ModelKeys} and {@code LayerKeys}, {@code TrainingKeys},
 * {@code OptimizerKeys} and {@code ScheduleKeys}, {@code OutputKeys}, {@code JobKeys} for the top
 * level): its path, type, default, value rule, when it applies, and its row of the README's reference
 * table. That one declaration drives {@link dptrain.driver.config.SpecLoader} (the edge: it reads the
 * YAML tree strictly, refuses unknown keys with a spelling suggestion, parses enum spellings once and
 * fills in defaults), {@link dptrain.driver.config.SpecJson} (the canonical JSON written for provenance
 * and read back from checkpoints), the records' compact constructors (which apply the key rules, so a
 * spec built in code is checked exactly like one read from a file) and the test that holds the README
 * tables to the declarations. {@link dptrain.driver.config.SpecDefaults} lends the declared defaults to
 * code that builds settings without a spec file. Every error is a one-line
 * {@link dptrain.driver.config.SpecException} naming the dotted key, the value and what is allowed;
 * the guide is {@code docs/job-spec.md}.
 */
package dptrain.driver.config;
