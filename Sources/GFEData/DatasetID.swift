import GFECore

/// The four files of an MNIST-format dataset, by their standard names (each may also be stored as `<name>.gz`).
public enum SourceFile: String, CaseIterable, Sendable {
    case trainImages = "train-images-idx3-ubyte"
    case trainLabels = "train-labels-idx1-ubyte"
    case testImages = "t10k-images-idx3-ubyte"
    case testLabels = "t10k-labels-idx1-ubyte"

    public var fileName: String { rawValue }
    public var isImages: Bool { self == .trainImages || self == .testImages }
    public var isTraining: Bool { self == .trainImages || self == .trainLabels }
    public var count: Int { isTraining ? 60_000 : 10_000 }
}

/// The datasets of SPEC §1.
public enum DatasetID: String, CaseIterable, Sendable {
    case mnist
    case fashionMNIST = "fashion_mnist"
    case segmentedMNIST = "segmented_mnist"

    public var name: String { rawValue }

    /// The dataset, by its spec name. Unknown names are a `DataError` listing the valid ones, with a
    /// did-you-mean suggestion.
    public static func named(_ name: String) throws -> DatasetID {
        if let id = DatasetID(rawValue: name) { return id }
        let valid = allCases.map(\.rawValue)
        throw DataError(
            .unknownDataset,
            "unknown dataset \"\(name)\"\(didYouMean(name, among: valid)); valid datasets: \(valid.joined(separator: ", "))."
        )
    }

    /// Legend names of labels: Fashion-MNIST's class names; digits otherwise.
    public var classNames: [Int: String] {
        guard filesDataset == .fashionMNIST else { return [:] }
        let names = [
            "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"
        ]
        return Dictionary(uniqueKeysWithValues: names.enumerated().map { ($0.offset, $0.element) })
    }

    /// The name of the folder holding the dataset's files: segmented_mnist is cut from the MNIST files.
    public var filesFolder: String { self == .fashionMNIST ? "fashion_mnist" : "mnist" }

    /// The dataset whose files this one reads (itself, or mnist for segmented_mnist).
    public var filesDataset: DatasetID { self == .segmentedMNIST ? .mnist : self }

    /// The splits this dataset has, in the order reports list them.
    public var splits: [SplitName] {
        self == .segmentedMNIST ? [.train, .test] : [.train, .validation, .test, .holdout]
    }

    /// The number of images in each split (every limit aside). They follow from the split rules of SPEC §1
    /// and the verified files (`checksums`), so they are known before any file is read; a test checks them
    /// against the loaded data.
    public func size(of split: SplitName) -> Int? {
        guard splits.contains(split) else { return nil }
        switch (self, split) {
        case (.segmentedMNIST, .train): return 30_596  // training images of digits 0–4
        case (.segmentedMNIST, _): return 4_861  // test images of digits 5–9
        case (_, .train): return Dataset.splitPermutationSize - Dataset.validationCount
        case (_, .validation): return Dataset.validationCount
        case (_, .holdout): return SourceFile.trainImages.count - Dataset.splitPermutationSize
        case (_, .test): return SourceFile.testImages.count
        }
    }

    /// SHA-256 of each uncompressed file.
    ///
    /// MNIST: from `../shared/datasets/mnist/SHA256SUMS` (the official files; see SOURCE.md there).
    /// FashionMNIST: computed from the files of Debian's `dataset-fashion-mnist` (0.0~git20200523.55506a9-1).
    /// Debian recompressed the `.gz` files, so their MD5s differ from the ones Zalando publishes; the
    /// uncompressed contents were checked instead: their MD5s (train images f4a8712d7a061bf5bd6d2ca38dc4d50a,
    /// train labels 9018921c3c673c538a1fc5bad174d6f9, test images 8181f5470baa50b63fa0f6fddb340f0a,
    /// test labels 15d484375f8d13e6eb1aabb0c3f46965) equal the uncompressed-file MD5s that public FashionMNIST
    /// loaders list next to Zalando's official `.gz` MD5s.
    public var checksums: [SourceFile: String] {
        switch filesDataset {
        case .fashionMNIST:
            return [
                .trainImages: "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888",
                .trainLabels: "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9",
                .testImages: "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b",
                .testLabels: "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34"
            ]
        default:
            return [
                .trainImages: "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
                .trainLabels: "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
                .testImages: "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
                .testLabels: "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2"
            ]
        }
    }

    /// What a file of this dataset must be.
    public func expectation(_ file: SourceFile) -> IDXExpectation {
        IDXExpectation(kind: file.isImages ? .images : .labels, count: file.count, sha256: checksums[file])
    }

    /// How to get the files, for error messages.
    public var howToGet: String {
        let names = SourceFile.allCases.map { $0.fileName + "[.gz]" }.joined(separator: ", ")
        let folder = filesFolder
        switch filesDataset {
        case .fashionMNIST:
            return
                "To get FashionMNIST: `apt-get install dataset-fashion-mnist` (installs /usr/share/datasets/fashion-mnist/), "
                + "or set GFE_DATA_DIR to a folder whose \(folder)/ subfolder holds \(names)."
        default:
            return "To get MNIST: run `make data` (links ../shared/datasets/mnist into data/mnist), "
                + "or set GFE_DATA_DIR to a folder whose \(folder)/ subfolder holds \(names) "
                + "(checksums in ../shared/datasets/mnist/SHA256SUMS)."
        }
    }
}

/// The splits of SPEC §1.
public enum SplitName: String, CaseIterable, Sendable {
    /// mnist/fashion_mnist: the train pool (49,992 images); segmented_mnist: the 30,596 training images of digits 0–4.
    case train
    /// The 8 validation images (mnist/fashion_mnist only).
    case validation
    /// The test set in file order (segmented_mnist: the 4,861 test images of digits 5–9).
    case test
    /// Training images 50,000–59,999, an optional larger validation set (mnist/fashion_mnist only).
    case holdout

    /// The split, by name, for `dataset`. Unknown names or splits the dataset lacks are a `DataError` listing
    /// the valid ones, with a did-you-mean suggestion.
    public static func named(_ name: String, for dataset: DatasetID) throws -> SplitName {
        if let split = SplitName(rawValue: name), dataset.splits.contains(split) { return split }
        throw unknown(name, of: dataset.name, has: dataset.splits)
    }

    /// The error for a split name that the dataset `dataset`, which has `splits`, does not have.
    static func unknown(_ name: String, of dataset: String, has splits: [SplitName]) -> DataError {
        let valid = splits.map(\.rawValue)
        let why =
            SplitName(rawValue: name) != nil
            ? " (\(dataset) has no \(name) split)"
            : didYouMean(name, among: valid)
        return DataError(
            .unknownSplit,
            "unknown split \"\(name)\" for dataset \(dataset)\(why); valid splits: \(valid.joined(separator: ", "))."
        )
    }
}
