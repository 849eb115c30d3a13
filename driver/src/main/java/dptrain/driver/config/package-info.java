/**
 * The job spec: a YAML file plus {@code key=value} overrides become the immutable, validated
 * {@link dptrain.driver.config.JobSpec} records.
 *
 * <p>{@link dptrain.driver.config.SpecLoader} is the edge: it reads the YAML tree strictly (every
 * key known, every value of the right type), parses enum spellings once and fills in
 * {@link dptrain.driver.config.SpecDefaults}. The records' compact constructors hold the value rules
 * (ranges, cross-field rules), so a spec built in code is checked exactly like one read from a file.
 * {@link dptrain.driver.config.SpecJson} writes the fully resolved spec as canonical JSON for
 * provenance and reads it back from a checkpoint. Every error is a one-line
 * {@link dptrain.driver.config.SpecException} naming the dotted key, the value and what is allowed;
 * the reference is {@code docs/job-spec.md}.
 */
package dptrain.driver.config;
