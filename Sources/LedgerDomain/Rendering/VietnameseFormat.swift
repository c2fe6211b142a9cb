/// Numbers, dates and words as a Vietnamese committee office writes them.
///
/// Numbers: `.` groups thousands and `,` is the decimal mark (TCVN / Vietnamese
/// administrative style): 1.234 đảng viên, 53,6%. A zero tenth is dropped
/// (100%, not 100,0%), as the contract's own example prints it.
/// Dates: DD/MM/YYYY.
enum VietnameseFormat {
    /// 1234567 → "1.234.567".
    static func integer(_ value: Int64) -> String {
        (value < 0 ? "-" : "") + grouped(value.magnitude)
    }

    /// An optional count; a missing one prints as a dash rather than a made-up 0.
    static func integer(_ value: Int64?) -> String {
        value.map { integer($0) } ?? missing
    }

    /// 536 tenths → "53,6"; 1000 tenths → "100"; 12345 tenths → "1.234,5".
    static func decimal(_ value: OneDecimal) -> String {
        let (negative, whole, tenth) = value.parts
        return (negative ? "-" : "") + grouped(whole) + (tenth == 0 ? "" : ",\(tenth)")
    }

    static func decimal(_ value: OneDecimal?) -> String {
        value.map { decimal($0) } ?? missing
    }

    /// "53,6%", or the dash when the figure is missing.
    static func percent(_ value: OneDecimal?) -> String {
        value.map { decimal($0) + "%" } ?? missing
    }

    /// "15/28 chi bộ (53,6%)": n of a total, with n ÷ total × 100 (0 when total is 0).
    static func fraction(_ n: Int64?, of total: Int64?, unit: String) -> String {
        let share: String
        if let n, let total {
            share = " (" + decimal(OneDecimal.percent(n, of: total)) + "%)"
        } else {
            share = ""
        }
        return integer(n) + "/" + integer(total) + " " + unit + share
    }

    /// "2025-01-31" → "31/01/2025". Anything not shaped like an ISO date is
    /// printed as given (a report must never hide what it was asked for).
    static func date(_ iso: String?) -> String {
        guard let iso else { return "…" }
        let parts = iso.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
            parts.allSatisfy({ $0.allSatisfy(\.isASCIIDigitCharacter) })
        else { return iso }
        return "\(parts[2])/\(parts[1])/\(parts[0])"
    }

    /// The discipline forms of the contract, mildest first, in Vietnamese.
    static let disciplineForms: [(form: String, name: String)] = [
        ("reprimand", "khiển trách"),
        ("warning", "cảnh cáo"),
        ("dismissal", "cách chức"),
        ("expulsion", "khai trừ"),
        ("dissolution", "giải tán"),
    ]

    /// "warning" → "cảnh cáo"; an unknown form is printed as given.
    static func disciplineForm(_ form: String) -> String {
        disciplineForms.first(where: { $0.form == form })?.name ?? form
    }

    /// The placeholder for a figure the report does not carry.
    static let missing = "—"

    private static func grouped(_ magnitude: UInt64) -> String {
        let digits = Array(String(magnitude))
        var out = ""
        for (i, d) in digits.enumerated() {
            if i > 0, (digits.count - i) % 3 == 0 { out.append(".") }
            out.append(d)
        }
        return out
    }
}

extension Character {
    fileprivate var isASCIIDigitCharacter: Bool { isASCII && isWholeNumber }
}

/// Text hygiene shared by the three renderers.
enum RenderText {
    /// Unicode NFC, so "ả" is one scalar (U+1EA3) whatever form the data came in.
    /// `_nfcCodeUnits` is the standard library's own normalizer (public, if
    /// underscored); it keeps LedgerDomain free of Foundation.
    static func nfc(_ s: String) -> String {
        String(decoding: s._nfcCodeUnits, as: UTF8.self)
    }

    /// Vietnamese capitals: "Đảng bộ Khối" → "ĐẢNG BỘ KHỐI", in NFC.
    static func upper(_ s: String) -> String {
        nfc(s.uppercased())
    }

    /// "khiển trách" → "Khiển trách".
    static func capitalizedFirst(_ s: String) -> String {
        guard let first = s.first else { return s }
        return String(first).uppercased() + s.dropFirst()
    }

    /// One line of data: control characters (newlines, tabs) become spaces, so a
    /// name can never break a report's layout.
    static func oneLine(_ s: String) -> String {
        String(String.UnicodeScalarView(s.unicodeScalars.map { $0.properties.generalCategory == .control ? " " : $0 }))
    }
}
