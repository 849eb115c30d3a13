package dptrain.worker.device;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class DeviceModeTest {

    @Test
    void parsesTheThreeValuesInAnyCase() {
        assertEquals(DeviceMode.CPU, DeviceMode.parse("cpu"));
        assertEquals(DeviceMode.GPU, DeviceMode.parse(" GPU "));
        assertEquals(DeviceMode.AUTO, DeviceMode.parse("Auto"));
        assertEquals("gpu", DeviceMode.GPU.specValue());
    }

    @Test
    void rejectsAnythingElseListingTheAllowedValues() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DeviceMode.parse("cuda"));
        assertEquals("training.device: 'cuda' is not one of cpu, gpu, auto", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> DeviceMode.parse(null));
    }
}
