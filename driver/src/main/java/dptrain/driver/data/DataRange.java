package dptrain.driver.data;

/**
 * Which date partitions of a Hive-style partitioned source a job read: the directories
 * {@code <column>=YYYY-MM-DD} under the source, from {@code since} on. {@code first} and
 * {@code last} are the smallest and largest partition values read, so a registry entry says
 * exactly which days of data a model saw.
 *
 * @param column     the partition column (the directory name before {@code =})
 * @param since      the {@code data.since} filter, or {@code null} when every partition was read
 * @param first      the earliest partition read, {@code YYYY-MM-DD}
 * @param last       the latest partition read, {@code YYYY-MM-DD}
 * @param partitions how many partition directories were read
 */
public record DataRange(String column, String since, String first, String last, int partitions) {
}
