package dptrain.driver.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code current} pointer: replaced by one rename where the filesystem renames over a file, and
 * through {@code current.previous} where it refuses, without a moment in which a reader finds no
 * valid pointer.
 */
class ModelRegistryTest {

    @TempDir
    Path dir;

    Path registry;
    Configuration hadoop;

    @BeforeEach
    void twoVersions() throws IOException {
        registry = dir.resolve("models");
        for (String version : new String[] {"v0001", "v0002"}) {
            Files.createDirectories(registry.resolve(version));
            Files.writeString(registry.resolve(version).resolve("meta.json"),
                    "{\"version\": \"" + version + "\", \"status\": \"promoted\"}");
        }
        hadoop = new Configuration();
        hadoop.set("fs.noreplace.impl", NoReplaceFileSystem.class.getName());
        hadoop.setBoolean("fs.noreplace.impl.disable.cache", true);
    }

    @Test
    void onALocalFileSystemOneRenameReplacesThePointer() throws IOException {
        ModelRegistry models = ModelRegistry.forWriting(registry.toString(), hadoop, "registry.dir");

        models.point("v0001");
        models.point("v0002");

        assertEquals("v0002\n", Files.readString(registry.resolve("current")));
        assertFalse(Files.exists(registry.resolve(ModelRegistry.PREVIOUS_POINTER)));
        assertEquals(Optional.of("v0002"), models.current());
        try (var names = Files.list(registry)) {
            assertTrue(names.noneMatch(name -> name.getFileName().toString().endsWith(".tmp")), "a temporary file is left");
        }
    }

    @Test
    void whereRenameWillNotReplaceAFileThePreviousPointerBridgesTheSwitch() throws IOException {
        String location = "noreplace://" + registry;
        FileSystem fs = new org.apache.hadoop.fs.Path(location).getFileSystem(hadoop);
        Files.writeString(registry.resolve("probe"), "a");
        Files.writeString(registry.resolve("probe2"), "b");
        assertFalse(fs.rename(new org.apache.hadoop.fs.Path(location + "/probe2"),
                new org.apache.hadoop.fs.Path(location + "/probe")), "this filesystem refuses to rename over a file");
        Files.delete(registry.resolve("probe"));
        Files.delete(registry.resolve("probe2"));
        ModelRegistry models = ModelRegistry.forWriting(location, hadoop, "registry.dir");

        models.point("v0001");
        models.point("v0002");

        assertEquals("v0002\n", Files.readString(registry.resolve("current")));
        assertEquals("v0001\n", Files.readString(registry.resolve(ModelRegistry.PREVIOUS_POINTER)));
        assertEquals(Optional.of("v0002"), models.current());
    }

    @Test
    void betweenTheTwoRenamesReadersSeeTheOldVersion() throws IOException {
        // the state after "current -> current.previous" and before "new pointer -> current"
        Files.writeString(registry.resolve(ModelRegistry.PREVIOUS_POINTER), "v0001\n");
        Files.writeString(registry.resolve(".current.0d5e.tmp"), "v0002\n");

        ModelRegistry models = ModelRegistry.existing(registry.toString(), hadoop, "--registry");

        assertEquals(Optional.of("v0001"), models.current());
        assertTrue(models.versions().stream().allMatch(RegistryVersion::promoted));
    }

    @Test
    void aVersionWithoutMetaIsNotListedButItsNumberIsTaken() throws IOException {
        Files.createDirectories(registry.resolve("v0003"));
        ModelRegistry models = ModelRegistry.existing(registry.toString(), hadoop, "--registry");

        assertEquals(2, models.versions().size());
        assertEquals("v0004", models.nextVersion());

        models.discardIncomplete("v0003");
        models.discardIncomplete("v0002");

        assertFalse(Files.exists(registry.resolve("v0003")));
        assertTrue(Files.exists(registry.resolve("v0002/meta.json")), "a complete version is never discarded");
    }
}
