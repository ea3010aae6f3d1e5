/// An n-dimensional array of numbers read from a user's data file (HDF5, NumPy `.npy`/`.npz`, IDX), in
/// C (row-major) order, before it is cut into samples.
///
/// Values are held as Double, which represents every value of every supported element type exactly
/// (integers up to 2⁵³; a 64-bit integer beyond that is refused by the reader).
public struct NumericArray: Sendable, Equatable {
    /// The element types data files may hold.
    public enum ElementType: String, Sendable, Equatable, CaseIterable {
        case uint8, int8, uint16, int16, uint32, int32, uint64, int64, float32, float64, bool

        public var isInteger: Bool { self != .float32 && self != .float64 }
    }

    /// Dimensions, outermost first: `shape[0]` is the number of samples for a samples array.
    public let shape: [Int]
    /// The type the file stores (not the Double held here).
    public let elementType: ElementType
    /// `shape.reduce(1, *)` values in C order.
    public let values: [Double]

    public init(shape: [Int], elementType: ElementType, values: [Double]) {
        precondition(shape.reduce(1, *) == values.count, "NumericArray: shape \(shape) holds \(values.count) values")
        self.shape = shape
        self.elementType = elementType
        self.values = values
    }
}
