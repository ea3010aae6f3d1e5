import Testing

@testable import GFEExperiments

/// A worker that dies leaves its run failed with the cause of death, not the end of a backtrace.
@Suite struct CrashCauseTests {
    @Test func swiftsFatalErrorIsTheCauseWhateverFollowsIt() {
        // What a Swift program on Linux writes when it traps (the backtracer's report follows the error).
        var lines = [
            "Swift/ContiguousArrayBuffer.swift:692: Fatal error: Index out of range", "",
            "*** Signal 4: Backtracing from 0x7fa5a096df7f... done ***",
            "*** Program crashed: Illegal instruction at 0x00007fa5a096df7f ***",
            "Platform: x86_64 Linux (Debian GNU/Linux 12 (bookworm))"
        ]
        lines += (0..<60).map { "\($0) 0x000000000040\($0) main + 12 in gfe" }
        lines.append("Backtrace took 1.35s")
        #expect(
            SweepScheduler.crashCause(lines) == "Swift/ContiguousArrayBuffer.swift:692: Fatal error: Index out of range"
        )
    }

    @Test func hdf5sInnermostErrorIsTheCause() {
        let lines = [
            "HDF5-DIAG: Error detected in HDF5 (1.10.8) thread 1:",
            "  #000: H5Dio.c line 289 in H5Dwrite(): can't write data", "    major: Dataset",
            "    minor: Write failed",
            "  #001: H5Fio.c line 189 in H5F_block_write(): write through page buffer failed",
            "    major: Low-level I/O", "    minor: Write failed"
        ]
        #expect(SweepScheduler.crashCause(lines) == "HDF5: major: Low-level I/O, minor: Write failed")
    }

    @Test func otherwiseTheLastLines() {
        #expect(SweepScheduler.crashCause(["a", "b", "c", "d"]) == "b | c | d")
        #expect(SweepScheduler.crashCause([]) == "")
    }
}
