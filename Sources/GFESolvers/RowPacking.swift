import GFECore

/// How the rows of several groups are laid out in the tall matrix handed to the objective.
///
/// Why this exists: grouped solving is bit-identical to solving the groups one after another only if the
/// objective gives each row the same bits wherever that row sits in the matrix and however many rows the
/// matrix has. OpenBLAS's sgemm does not: its result for a row depends on the row's position within the
/// kernel's register tile and on the matrix height (measured: with the Zen kernels of OpenBLAS 0.3.21 a row
/// computed at position p differs from the same row at position p + 6, and tiny heights take other code).
/// With `alignment` A every group starts at a multiple of A and occupies ⌈B/A⌉·A rows (the extra rows are
/// zero padding, evaluated and ignored), a lone group included. If A is a multiple of the BLAS kernel's
/// row period, a group's rows then meet the same code at the same positions in every call, and grouped
/// equals sequential bit for bit. A = 1 is plain contiguous packing (no padding).
enum RowPacking {
    /// Rows a group of `count` rows occupies.
    static func slotRows(_ count: Int, alignment: Int) -> Int {
        (count + alignment - 1) / alignment * alignment
    }

    static func validate(_ alignment: Int, _ who: String) throws(GFEError) {
        guard alignment >= 1 else {
            throw .badInput("\(who): rowAlignment is \(alignment); it must be at least 1 (1 = no padding)")
        }
    }
}

/// Evaluates an objective for rows given in their natural order, through the aligned packed layout when
/// one is needed (rows never change groups here: the fixed-grid and one-step encoders keep every row
/// active). Buffers persist between solves.
struct PackedEvaluator<T: Scalar> {
    var alignment = 1
    private(set) var offsets: [Int] = []
    private(set) var ranges: [Range<Int>] = []
    /// Height of the matrix the objective sees.
    private(set) var packedRows = 0
    /// True when the packed layout is the natural one (no padding): the objective is called directly.
    private(set) var direct = true
    private var z = Matrix<T>(rows: 0, cols: 0)
    private var x = Matrix<T>(rows: 0, cols: 0)
    private var gradient = Matrix<T>(rows: 0, cols: 0)
    private var loss: [T] = []

    /// Lays out `ranges` (contiguous, covering the rows of `images`) and gathers the images once.
    mutating func configure(ranges: [Range<Int>], images: Matrix<T>, dim d: Int) {
        self.ranges = ranges
        offsets.removeAll(keepingCapacity: true)
        var offset = 0
        direct = true
        for r in ranges {
            if offset != r.lowerBound { direct = false }
            offsets.append(offset)
            offset += RowPacking.slotRows(r.count, alignment: alignment)
        }
        if offset != images.rows { direct = false }
        packedRows = offset
        guard !direct else { return }
        z = Matrix(rows: offset, cols: d)
        x = Matrix(rows: offset, cols: images.cols)
        gradient = Matrix(rows: offset, cols: d)
        loss = Array(repeating: 0, count: offset)
        for (r, o) in zip(ranges, offsets) {
            RowOps.copyRows(images, from: r.lowerBound, into: &x, at: o, count: r.count)
        }
    }

    /// Fills `lossOut[0..<n]` and `gradientOut` (n×d) for the rows of `zIn` (n×d) and the images given to
    /// `configure` (passed again as `images` for the direct path).
    mutating func evaluate<O: LatentObjective>(
        _ objective: inout O, z zIn: Matrix<T>, images: Matrix<T>, loss lossOut: inout [T],
        gradient gradientOut: inout Matrix<T>
    ) where O.T == T {
        if direct {
            objective.lossAndGradient(z: zIn, x: images, loss: &lossOut, gradient: &gradientOut)
            precondition(gradientOut.rows == zIn.rows && lossOut.count >= zIn.rows,
                         "LatentObjective must fill loss[0..<n] and an n×d gradient without resizing them")
            return
        }
        for (r, o) in zip(ranges, offsets) {
            RowOps.copyRows(zIn, from: r.lowerBound, into: &z, at: o, count: r.count)
        }
        objective.lossAndGradient(z: z, x: x, loss: &loss, gradient: &gradient)
        precondition(gradient.rows == packedRows && loss.count >= packedRows,
                     "LatentObjective must fill loss[0..<n] and an n×d gradient without resizing them")
        for (r, o) in zip(ranges, offsets) {
            RowOps.copyRows(gradient, from: o, into: &gradientOut, at: r.lowerBound, count: r.count)
            RowOps.copyElements(loss, from: o, into: &lossOut, at: r.lowerBound, count: r.count)
        }
    }
}
