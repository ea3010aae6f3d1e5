import GFECore

/// How figure data name checkpoints and carry numbers to scripts/figures.py.
enum FigureData {
    /// "1920" for a checkpoint asked for by images seen, "end" for the end of training: runs that saw
    /// different numbers of images by their end (an AE's 12 epochs, GFE's one) share the end's panel.
    static func checkpointKey(_ c: StoredCheckpoint) -> String {
        c.requestedImagesSeen.map(String.init) ?? "end"
    }

    /// "after 1,920 images" or "end of training (49,992 images)"; `shared` leaves out the end's count, which
    /// differs between runs drawn together.
    static func checkpointLabel(_ c: StoredCheckpoint, shared: Bool = false) -> String {
        if let requested = c.requestedImagesSeen { return "after \(grouped(requested)) images" }
        return shared ? "end of training" : "end of training (\(grouped(c.imagesSeen)) images)"
    }

    /// Numbers as JSON, a non-finite one as null (JSON has no NaN).
    static func numbers(_ values: [Double]) -> JSONValue {
        .array(values.map { $0.isFinite ? JSONValue($0) : .null })
    }
}
