import Foundation

/// A variable coded as category indices 0..<k per respondent (−1 for an
/// excluded answer): the shared first step of every table, share and
/// categorical statistic.
///
/// Categories are ordered: valid codes ascending (labelled codes appear
/// even when nobody chose them), then user-missing codes ascending, then
/// each Stata/SAS extended missing value (`.a`–`.z`) present, then
/// system-missing when any row has it. A string variable's categories are
/// its distinct non-empty texts in ascending order.
public struct CategoryCoding: Sendable {
    /// The categories, in table order.
    public let categories: [Category]
    /// Category index per respondent; −1 when excluded.
    public let index: [Int32]

    /// Codes `variable` under `missing`.
    public init(_ variable: Variable, missing: MissingInclusion = .showMissing) {
        if let strings = variable.strings {
            let distinct = Set(strings.filter { !$0.isEmpty }).sorted()
            var cats = distinct.map { Category(code: nil, label: $0, status: .valid) }
            var pos: [String: Int32] = [:]
            for (i, s) in distinct.enumerated() { pos[s] = Int32(i) }
            let hasEmpty = strings.contains { $0.isEmpty }
            let sys: Int32 = (hasEmpty && missing == .showMissing) ? Int32(cats.count) : -1
            if sys >= 0 { cats.append(Category(code: nil, label: "System missing", status: .systemMissing)) }
            self.categories = cats
            self.index = strings.map { $0.isEmpty ? sys : pos[$0, default: -1] }
            return
        }
        var valid = Set<Double>(), userMissing = Set<Double>()
        var hasSystemMissing = false
        var extendedTags = Set<Character>()
        for c in variable.valueLabels.keys {
            if variable.missing.contains(c) { userMissing.insert(c) } else { valid.insert(c) }
        }
        // Small non-negative integer codes (the usual survey case) are found
        // through a flat table; hashing happens once per distinct code. The
        // first pass stores each row's small code (−1 for any other value),
        // the second maps it to its category in place.
        var smallSeen = [Bool](repeating: false, count: Self.smallCodeLimit)
        var otherCodes = Set<Double>()
        let n = variable.values.count
        var index = [Int32](unsafeUninitializedCapacity: n) { out, initialized in
            variable.values.withUnsafeBufferPointer { values in
                smallSeen.withUnsafeMutableBufferPointer { seen in
                    for i in 0..<n {
                        let v = values[i]
                        if let k = Self.smallCode(v) {
                            seen[k] = true
                            out.initializeElement(at: i, to: Int32(truncatingIfNeeded: k))
                            continue
                        }
                        out.initializeElement(at: i, to: -1)
                        if v.isNaN {
                            if let tag = ExtendedMissing.tag(of: v) { extendedTags.insert(tag) } else { hasSystemMissing = true }
                        } else {
                            otherCodes.insert(v)
                        }
                    }
                }
            }
            initialized = n
        }
        for (k, seen) in smallSeen.enumerated() where seen { otherCodes.insert(Double(k)) }
        for v in otherCodes {
            if variable.missing.contains(v) { userMissing.insert(v) } else { valid.insert(v) }
        }
        var cats = valid.sorted().map { Category(code: $0, label: variable.displayText(for: $0), status: .valid) }
        if missing == .showMissing {
            cats += userMissing.sorted().map { Category(code: $0, label: variable.displayText(for: $0), status: .userMissing) }
        }
        var pos: [Double: Int32] = [:]
        for (i, c) in cats.enumerated() { if let code = c.code { pos[code] = Int32(i) } }
        // Stata/SAS extended missing values (.a–.z): each tag its own row, with
        // system-missing status, before plain system-missing.
        var tagPos: [Character: Int32] = [:]
        if missing == .showMissing {
            for tag in extendedTags.sorted() {
                tagPos[tag] = Int32(cats.count)
                let label = variable.extendedMissingLabels[tag].map { "\($0) (.\(tag))" } ?? "Missing .\(tag)"
                cats.append(Category(code: nil, label: label, status: .systemMissing))
            }
        }
        var sys: Int32 = -1
        if hasSystemMissing && missing == .showMissing {
            sys = Int32(cats.count)
            cats.append(Category(code: nil, label: "System missing", status: .systemMissing))
        }
        self.categories = cats
        var smallPos = [Int32](repeating: -1, count: Self.smallCodeLimit)
        for (code, p) in pos { if let k = Self.smallCode(code) { smallPos[k] = p } }
        variable.values.withUnsafeBufferPointer { values in
            index.withUnsafeMutableBufferPointer { out in
                smallPos.withUnsafeBufferPointer { small in
                    for i in 0..<n {
                        let k = out[i]
                        if k >= 0 { out[i] = small[Int(k)]; continue }
                        let v = values[i]
                        if !v.isNaN { out[i] = pos[v, default: -1] }
                        else if let tag = ExtendedMissing.tag(of: v) { out[i] = tagPos[tag, default: -1] }
                        else { out[i] = sys }
                    }
                }
            }
        }
        self.index = index
    }

    /// Codes 0..<smallCodeLimit that are whole numbers take the table path.
    static let smallCodeLimit = 4096

    /// `v` as a small table index when it is a whole number in 0..<smallCodeLimit
    /// (−0 counts as 0; NaN, infinities and everything else give nil).
    ///
    /// Without float-to-integer conversions: `t = v + 1.5·2⁵²` lies in the
    /// binade [2⁵², 2⁵³) for |v| < 2⁵¹, where the spacing is 1, so
    /// `t.bitPattern − (1.5·2⁵²).bitPattern` is `v` rounded to an integer, and
    /// `t − 1.5·2⁵² == v` exactly when `v` is that integer. Outside that range
    /// the bit difference is ≥ 2⁵² or wraps negative, so the unsigned range
    /// test fails.
    @inline(__always) static func smallCode(_ v: Double) -> Int? {
        let magic = 6_755_399_441_055_744.0
        let t = v + magic
        let d = t.bitPattern &- magic.bitPattern
        guard d < UInt64(smallCodeLimit), t - magic == v else { return nil }
        return Int(truncatingIfNeeded: d)
    }

    /// Codes several variables at once, in parallel over variables (each
    /// coding is independent, so the result equals coding them one by one).
    public static func coding(_ variables: [Variable], missing: MissingInclusion = .showMissing) -> [CategoryCoding] {
        let results = CodingSlots(count: variables.count)
        DispatchQueue.concurrentPerform(iterations: variables.count) { k in
            results.set(k, CategoryCoding(variables[k], missing: missing))
        }
        return results.values()
    }
}

/// Result slots written by concurrent workers, one slot each.
private final class CodingSlots: @unchecked Sendable {
    private var slots: [CategoryCoding?]
    private let lock = NSLock()
    init(count: Int) { slots = Array(repeating: nil, count: count) }
    func set(_ k: Int, _ c: CategoryCoding) { lock.lock(); slots[k] = c; lock.unlock() }
    func values() -> [CategoryCoding] { slots.compactMap { $0 } }
}
