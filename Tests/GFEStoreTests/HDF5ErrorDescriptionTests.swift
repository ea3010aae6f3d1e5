import Testing

@testable import GFEStore

@Suite struct HDF5ErrorDescriptionTests {
    /// A full disk's error as HDF5 1.10 words it: the dump of the call is reduced to what failed and why.
    @Test func lowLevelIOErrorsAreReducedToTheirCause() {
        let raw =
            "file write failed: time = Wed Dec  2 08:18:43 2026\n, filename = '/r/.run.h5.tmp', file descriptor = 4, "
            + "errno = 28, error message = 'No space left on device', buf = 0x559fbb0456f0, total wr"
        #expect(HDF5Library.reducedDescription(raw) == "file write failed: No space left on device")
        #expect(HDF5Library.reducedDescription("unable to open file\nsecond line") == "unable to open file second line")
    }
}
