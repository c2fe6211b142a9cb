/// The generator's only source of randomness: SplitMix64 (Steele, Lea and
/// Flood, "Fast splittable pseudorandom number generators", OOPSLA 2014).
///
/// Deterministic on every platform: integer arithmetic only, no floating
/// point, no `SystemRandomNumberGenerator`. Probabilities are written as
/// integers per mille or per million so that no rounding can differ between
/// machines.
struct DemoRandom: Sendable {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    /// The next 64 random bits.
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in `0..<bound` (Lemire's multiply-and-reject, no modulo bias).
    mutating func below(_ bound: Int) -> Int {
        precondition(bound > 0, "DemoRandom.below: bound \(bound) must be positive")
        let range = UInt64(bound)
        var product = next().multipliedFullWidth(by: range)
        if product.low < range {
            let threshold = (0 &- range) % range
            while product.low < threshold { product = next().multipliedFullWidth(by: range) }
        }
        return Int(product.high)
    }

    /// Uniform in `range`.
    mutating func int(in range: ClosedRange<Int>) -> Int {
        range.lowerBound + below(range.count)
    }

    /// True with probability `perMille` / 1000.
    mutating func chance(perMille: Int) -> Bool { below(1000) < perMille }

    /// True with probability `perMillion` / 1 000 000.
    mutating func chance(perMillion: Int) -> Bool { below(1_000_000) < perMillion }

    /// One element of a non-empty array.
    mutating func pick<Element>(_ elements: [Element]) -> Element {
        elements[below(elements.count)]
    }

    /// An index chosen with the given non-negative integer weights (not all zero).
    mutating func index(weights: [Int]) -> Int {
        let total = weights.reduce(0, +)
        precondition(total > 0, "DemoRandom.index: weights sum to \(total)")
        var roll = below(total)
        for (index, weight) in weights.enumerated() {
            if roll < weight { return index }
            roll -= weight
        }
        return weights.count - 1
    }

    /// `count` distinct elements of `elements` (all of them if there are fewer), in their original order.
    mutating func sample<Element>(_ elements: [Element], count: Int) -> [Element] {
        if count >= elements.count { return elements }
        var chosen = [Bool](repeating: false, count: elements.count)
        var remaining = count
        while remaining > 0 {
            let index = below(elements.count)
            if !chosen[index] { chosen[index] = true; remaining -= 1 }
        }
        return elements.indices.filter { chosen[$0] }.map { elements[$0] }
    }
}
