/// Numbers as Vietnamese readers write them, for human output: thousands
/// grouped with '.', decimals after ',', durations in days, hours, minutes.
enum VietnameseNumbers {
    /// 1234567 → "1.234.567".
    static func count(_ value: Int64) -> String {
        let digits = Array(String(value.magnitude))
        var text = ""
        for (i, digit) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { text.append(".") }
            text.append(digit)
        }
        return value < 0 ? "-" + text : text
    }

    /// 1536.25 with one decimal → "1.536,3".
    static func decimal(_ value: Double, places: Int = 1) -> String {
        precondition((0...6).contains(places), "places must be 0…6")
        guard value.isFinite, abs(value) < 1e12 else { return value.isNaN ? "?" : (value < 0 ? "-∞" : "∞") }
        let scale = (0..<places).reduce(1.0) { result, _ in result * 10 }
        let scaled = Int64((abs(value) * scale).rounded())
        let whole = count(scaled / Int64(scale))
        let sign = value < 0 && scaled != 0 ? "-" : ""
        guard places > 0 else { return sign + whole }
        let fraction = String(scaled % Int64(scale))
        return sign + whole + "," + String(repeating: "0", count: places - fraction.count) + fraction
    }

    /// 93784 seconds → "1 ngày 2 giờ 3 phút"; under a minute, "42 giây".
    static func duration(seconds: Int64) -> String {
        guard seconds >= 60 else { return "\(max(0, seconds)) giây" }
        let days = seconds / 86_400, hours = seconds % 86_400 / 3_600, minutes = seconds % 3_600 / 60
        var parts: [String] = []
        if days > 0 { parts.append("\(count(days)) ngày") }
        if hours > 0 { parts.append("\(hours) giờ") }
        if minutes > 0 || parts.isEmpty { parts.append("\(minutes) phút") }
        return parts.joined(separator: " ")
    }
}
