import GFECore
import GFETraining

/// One swept field's value at one sweep point, with where the value was written in the spec.
public struct SweepValue: Sendable, Equatable {
    public var path: ConfigPath
    public var value: JSONValue
    /// The value's location in the spec, e.g. `$.sweep.axes["encoder.beta"][1]` or `$.seeds[0]`.
    public var location: String

    public init(path: ConfigPath, value: JSONValue, location: String) {
        self.path = path
        self.value = value
        self.location = location
    }
}

/// One dimension of a sweep: a single field (an axis) or several fields that change together (a zip
/// group: their k-th values form the k-th step).
public struct SweepDimension: Sendable, Equatable {
    public var paths: [ConfigPath]
    /// `values[p][k]`: the k-th value of `paths[p]`; every path has the same number of values.
    public var values: [[JSONValue]]
    /// The spec location of each path's array of values.
    public var locations: [String]
    /// The human name of each step (the spec's `"labels"`), for legends and listings; nil: `label(_:)` makes one.
    public var labels: [String]? = nil

    public var count: Int { values.first?.count ?? 0 }

    /// Step k's name: the spec's label, else the first field's last name and value ("dynamics=nesterov",
    /// "encoder: method=fixedGrid, dynamics=nesterov" for an object).
    public func label(_ k: Int) -> String {
        if let labels { return labels[k] }
        let name = paths[0].description.split(separator: ".").last.map(String.init) ?? paths[0].description
        if case .object(let o) = values[0][k] {
            return name + ": " + o.pairs.map { "\($0.key)=\($0.value.shortText)" }.joined(separator: ", ")
        }
        return name + "=" + values[0][k].shortText
    }

    /// The step whose values `point` holds for this dimension's fields (nil when it holds others).
    public func stepIndex(in point: [SweepValue]) -> Int? {
        (0..<count).first { k in
            paths.indices.allSatisfy { p in
                point.first { $0.path == paths[p] }?.value.canonicalText == values[p][k].canonicalText
            }
        }
    }

    /// The swept values of step k.
    public func step(_ k: Int) -> [SweepValue] {
        paths.indices.map { p in
            SweepValue(path: paths[p], value: values[p][k], location: JSONPath.index(locations[p], k))
        }
    }
}

/// The sweep of an experiment: the Cartesian product of its dimensions, in order (the first dimension
/// varies slowest, the seeds, written last, fastest). With no dimension the sweep has one point.
public struct Sweep: Sendable, Equatable {
    public var dimensions: [SweepDimension]

    public init(dimensions: [SweepDimension] = []) { self.dimensions = dimensions }

    /// The most points a sweep may have (a guard against a product that was not meant).
    public static let maxPoints = 100_000

    /// Every swept path, in dimension order.
    public var paths: [ConfigPath] { dimensions.flatMap(\.paths) }

    /// The number of points.
    public var count: Int { dimensions.reduce(1) { $0 * $1.count } }

    /// The points in order; point i lists the swept values of every dimension.
    public var points: [[SweepValue]] {
        var result: [[SweepValue]] = [[]]
        for dimension in dimensions {
            var next: [[SweepValue]] = []
            next.reserveCapacity(result.count * dimension.count)
            for prefix in result {
                for k in 0..<dimension.count { next.append(prefix + dimension.step(k)) }
            }
            result = next
        }
        return result
    }

    /// The dimension holding `path`, if it is swept.
    public func dimension(of path: ConfigPath) -> SweepDimension? {
        dimensions.first { $0.paths.contains(path) }
    }

    /// The values `path` takes in the sweep, in order (none when it is not swept).
    public func values(of path: ConfigPath) -> [JSONValue] {
        guard let d = dimension(of: path), let p = d.paths.firstIndex(of: path) else { return [] }
        return d.values[p]
    }

    /// The sweep without `path` (an override fixes it): its axis is dropped, or the path is taken out of
    /// its zip group. Swept paths inside `path` go too (the override replaces their parent object).
    public func removing(_ path: ConfigPath) -> Sweep {
        var out = Sweep()
        for d in dimensions {
            let keep = d.paths.indices.filter { !d.paths[$0].isWithin(path) }
            if keep.isEmpty { continue }
            out.dimensions.append(
                SweepDimension(
                    paths: keep.map { d.paths[$0] }, values: keep.map { d.values[$0] },
                    locations: keep.map { d.locations[$0] }, labels: d.labels))
        }
        return out
    }

    static let fields = ["axes", "zip", "labels"]

    /// Reads `"sweep": {"axes": {...}, "zip": [...], "labels": {...}}` and `"seeds": [...]` (either may be absent).
    static func read(sweep: JSONValue?, seeds: JSONValue?, source: String) throws -> Sweep {
        var dimensions: [SweepDimension] = []
        if let sweep, sweep != .null {
            let r = try SpecReader(sweep, at: "$.sweep", source: source, allowed: fields)
            if let axes = try r.objectValue(
                "axes",
                "an object mapping field paths to arrays of values, "
                    + "e.g. {\"encoder.beta\": [0.5, 0.75]}")
            {
                for (key, value) in axes.pairs {
                    let at = JSONPath.child(r.at("axes"), key)
                    let path = try ConfigPath(parsing: key, what: "\(source): \(at)")
                    let values = try readValues(value, at: at, source: source, path: path)
                    dimensions.append(SweepDimension(paths: [path], values: [values], locations: [at]))
                }
            }
            if let groups = try r.array(
                "zip", "an array of objects, each mapping field paths to arrays of the same length")
            {
                for (g, group) in groups.enumerated() {
                    let at = JSONPath.index(r.at("zip"), g)
                    guard case .object(let o) = group, !o.isEmpty else {
                        throw r.wrongType(
                            at, group, "an object mapping field paths to arrays of values of the same length")
                    }
                    var d = SweepDimension(paths: [], values: [], locations: [])
                    for (key, value) in o.pairs {
                        let location = JSONPath.child(at, key)
                        let path = try ConfigPath(parsing: key, what: "\(source): \(location)")
                        d.paths.append(path)
                        // A zipped field may repeat a value (several methods on one encoder); the points may not.
                        d.values.append(
                            try readValues(value, at: location, source: source, path: path, distinct: false))
                        d.locations.append(location)
                    }
                    if Set(d.values.map(\.count)).count > 1 {
                        let lengths = d.paths.indices.map { "'\(d.paths[$0])' has \(d.values[$0].count)" }
                        throw r.problem(
                            at,
                            "zipped fields change together, so they need the same number of values; "
                                + lengths.joined(separator: ", "))
                    }
                    let points = (0..<d.count).map { k in JSONValue.array(d.values.map { $0[k] }) }
                    try checkDistinct(points, at: at, source: source, what: "its fields' values at")
                    dimensions.append(d)
                }
            }
            try readLabels(r, into: &dimensions, source: source)
        }
        if let seeds, seeds != .null {
            let at = "$.seeds"
            guard case .array(let items) = seeds, !items.isEmpty else {
                throw GFEError.badInput(
                    "\(source): \(at): found \(seeds.kindDescription) (\(seeds.canonicalText.clipped)); "
                        + "expected a non-empty array of seeds, e.g. [1, 2, 3]")
            }
            for (i, item) in items.enumerated() where item.uint64Value == nil {
                throw GFEError.badInput(
                    "\(source): \(JSONPath.index(at, i)): \(item.canonicalText.clipped) is not a seed; "
                        + "expected a non-negative integer below 2^64")
            }
            let seedPath = ConfigPath(["seed"])
            if dimensions.contains(where: { $0.paths.contains(seedPath) }) {
                throw GFEError.badInput(
                    "\(source): \(at): 'seed' is also swept in $.sweep; give the seeds in one place")
            }
            try checkDistinct(items, at: at, source: source)
            dimensions.append(SweepDimension(paths: [seedPath], values: [items], locations: [at]))
        }
        let sweep = Sweep(dimensions: dimensions)
        try sweep.checkPaths(source: source)
        try sweep.checkSize(source: source)
        return sweep
    }

    /// `"labels": {"encoder": ["GFE", "GFE 2nd order", "GFE-amd"], "method": ["AE", "GFE-amd"]}`: a name per
    /// value of a swept field (for a zip group, of any one of its fields), used by figures and listings.
    private static func readLabels(_ r: SpecReader, into dimensions: inout [SweepDimension], source: String) throws {
        guard
            let labels = try r.objectValue(
                "labels",
                "an object mapping swept field paths to arrays of names, one per value, "
                    + "e.g. {\"encoder.dynamics\": [\"GFE\", \"GFE 2nd order\"]}")
        else { return }
        var labelledBy: [Int: ConfigPath] = [:]
        for (key, value) in labels.pairs {
            let at = JSONPath.child(r.at("labels"), key)
            let path = try ConfigPath(parsing: key, what: "\(source): \(at)")
            guard let d = dimensions.firstIndex(where: { $0.paths.contains(path) }) else {
                throw r.problem(
                    at,
                    "'\(path)' is not swept; labels name the values of a field in $.sweep.axes or $.sweep.zip (swept: "
                        + dimensions.flatMap(\.paths).map { "'\($0)'" }.joined(separator: ", ") + ")")
            }
            let expected = "an array of \(dimensions[d].count) non-empty names, one per value of '\(path)'"
            guard case .array(let items) = value else { throw r.wrongType(at, value, expected) }
            let names = items.compactMap { item -> String? in
                guard case .string(let s) = item, s.contains(where: { !$0.isWhitespace }) else { return nil }
                return s
            }
            guard names.count == items.count, names.count == dimensions[d].count else {
                throw r.wrongType(at, value, expected)
            }
            if let other = labelledBy[d] {
                throw r.problem(
                    at, "'\(path)' changes together with '\(other)', which is labelled already; label the group once")
            }
            labelledBy[d] = path
            try checkDistinct(names.map(JSONValue.string), at: at, source: source)
            dimensions[d].labels = names
        }
    }

    /// The one limit on points, whichever way they were added (axes, zip, "seeds", --seeds): counted
    /// without overflow before any point is made.
    public func checkSize(source: String) throws {
        var total = 1.0
        for d in dimensions { total *= Double(d.count) }
        guard total <= Double(Self.maxPoints) else {
            let count = total < 1e18 ? grouped(Int(total)) : String(format: "%.3g", total)
            throw GFEError.badInput(
                "\(source): the sweep has \(count) points (seeds included), more than \(grouped(Self.maxPoints)); "
                    + "split it into several experiments")
        }
    }

    /// No path may be swept twice, or inside another swept path (`encoder` and `encoder.beta`).
    func checkPaths(source: String) throws {
        var seen: [(ConfigPath, String)] = []
        for d in dimensions {
            for (p, path) in d.paths.enumerated() {
                if let other = seen.first(where: { path.isWithin($0.0) || $0.0.isWithin(path) }) {
                    let relation = other.0 == path ? "is swept twice" : "overlaps '\(other.0)' (swept at \(other.1))"
                    throw GFEError.badInput(
                        "\(source): \(d.locations[p]): '\(path)' \(relation); sweep each field in one place")
                }
                seen.append((path, d.locations[p]))
            }
        }
    }

    private static func readValues(
        _ value: JSONValue, at location: String, source: String, path: ConfigPath, distinct: Bool = true
    ) throws -> [JSONValue] {
        guard case .array(let items) = value, !items.isEmpty else {
            throw GFEError.badInput(
                "\(source): \(location): found \(value.kindDescription) (\(value.canonicalText.clipped)); "
                    + "expected a non-empty array of the values '\(path)' takes, e.g. [0.5, 0.75]")
        }
        if distinct { try checkDistinct(items, at: location, source: source) }
        return items
    }

    /// Linear in the number of values (100,000 seeds are checked in well under a second). `what` names a
    /// zip group's k-th point, which is not one element of the spec.
    private static func checkDistinct(_ items: [JSONValue], at location: String, source: String, what: String? = nil)
        throws
    {
        var firstIndex: [String: Int] = [:]
        for (i, item) in items.enumerated() {
            let key = item.canonicalText
            if let j = firstIndex[key] {
                guard let what else {
                    throw GFEError.badInput(
                        "\(source): \(JSONPath.index(location, i)): \(key.clipped) repeats "
                            + "\(JSONPath.index(location, j)); each value must appear once")
                }
                throw GFEError.badInput(
                    "\(source): \(location): \(what) index \(i) (\(key.clipped)) repeat those at index \(j); "
                        + "each point must appear once")
            }
            firstIndex[key] = i
        }
    }
}
