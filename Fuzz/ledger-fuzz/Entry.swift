import Foundation

func printError(_ message: String) {
    FileHandle.standardError.write(Data((message.hasSuffix("\n") ? message : message + "\n").utf8))
}

#if LEDGER_LIBFUZZER
import CFuzzerDriver

// Built by scripts/fuzz.sh with `-sanitize=fuzzer`: libFuzzer's driver runs
// and calls `ledgerFuzzTestOneInput` for every input; the target is named by
// $LEDGER_FUZZ_TARGET.

nonisolated(unsafe) var fuzzTarget = FuzzTarget.request

/// libFuzzer calls this once before any input: the target is checked here
/// (a bad name is a usage error, not a finding) and its fixtures are built
/// (not counted as the first input's coverage).
@_cdecl("LLVMFuzzerInitialize")
public func ledgerFuzzInitialize(
    _ argc: UnsafeMutablePointer<CInt>?, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>?
) -> CInt {
    let name = ProcessInfo.processInfo.environment["LEDGER_FUZZ_TARGET"] ?? ""
    guard let target = FuzzTarget(rawValue: name) else {
        printError("LEDGER_FUZZ_TARGET must name one of: \(FuzzTarget.allCases.map(\.rawValue).joined(separator: ", "))")
        exit(2)
    }
    fuzzTarget = target
    target.prepare()
    return 0
}

@_cdecl("LLVMFuzzerTestOneInput")
public func ledgerFuzzTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    do {
        _ = try fuzzTarget.run(UnsafeRawBufferPointer(start: data, count: size))
    } catch {
        printError("ledger-fuzz: property broken (\(fuzzTarget.rawValue)): \(error)")
        abort()
    }
    return 0
}

/// SwiftPM links an executable with `main` defined as `<module>_main` (it
/// renames the entry point so that tests can link the module), so
/// libFuzzer's own `main` is not linked in: this entry point does what that
/// `main` does. (Without the renaming, libFuzzer's `main` runs, and this is
/// unused.)
@_cdecl("ledger_fuzz_main")
public func ledgerFuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var argc = argc
    var argv = argv
    return LLVMFuzzerRunDriver(&argc, &argv, ledgerFuzzTestOneInput)
}

#else

/// The driver of a normal build: replays inputs through a target (the
/// seeds and the inputs fuzzers found, as the tests do, or a crash to
/// debug) and writes the seeds `scripts/fuzz.sh` starts from.
@main
struct LedgerFuzz {
    static let usage = """
        usage: ledger-fuzz replay TARGET PATH...   run every input (files, or directories read recursively)
               ledger-fuzz seeds TARGET DIR        write the target's seed inputs into DIR
               ledger-fuzz list                    the targets

        Fuzzing itself runs in a libFuzzer build: scripts/fuzz.sh TARGET [SECONDS].
        Exit status: 0 every input passed, 1 an input broke a property, 2 usage.
        """

    static func main() {
        let arguments = Array(CommandLine.arguments.dropFirst())
        guard let command = arguments.first else { fail(usage) }
        switch command {
        case "list":
            for target in FuzzTarget.allCases { print("\(target.rawValue.padding(toLength: 12, withPad: " ", startingAt: 0)) \(target.summary)") }
        case "replay":
            guard arguments.count >= 3 else { fail(usage) }
            let target = target(named: arguments[1])
            var count = 0
            var deepest = 0
            for path in arguments.dropFirst(2) {
                for file in files(at: path) {
                    guard let data = FileManager.default.contents(atPath: file) else { fail("cannot read \(file)") }
                    let outcome = [UInt8](data).withUnsafeBytes { bytes -> Result<Bool, FuzzFailure> in
                        do throws(FuzzFailure) { return .success(try target.run(bytes)) } catch { return .failure(error) }
                    }
                    switch outcome {
                    case .success(let reached): if reached { deepest += 1 }
                    case .failure(let failure):
                        printError("ledger-fuzz: \(file): property broken (\(target.rawValue)): \(failure)")
                        exit(1)
                    }
                    count += 1
                }
            }
            print("\(target.rawValue): \(count) inputs replayed, none broke a property; \(deepest) reached \(target.deepest)")
        case "seeds":
            guard arguments.count == 3 else { fail(usage) }
            let target = target(named: arguments[1])
            let directory = arguments[2]
            do {
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
                let seeds = target.seeds()
                for (n, seed) in seeds.enumerated() {
                    try Data(seed).write(to: URL(fileURLWithPath: directory + "/seed-\(n)"))
                }
                print("\(target.rawValue): \(seeds.count) seeds written to \(directory)")
            } catch {
                fail("cannot write the seeds: \(error)")
            }
        case "-h", "--help", "help":
            print(usage)
        default:
            fail("unknown command '\(command)'\n\(usage)")
        }
    }

    static func target(named name: String) -> FuzzTarget {
        guard let target = FuzzTarget(rawValue: name) else {
            fail("unknown target '\(name)': want one of \(FuzzTarget.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return target
    }

    /// `path` itself, or every regular file under it, in name order.
    static func files(at path: String) -> [String] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { fail("no such file: \(path)") }
        guard isDirectory.boolValue else { return [path] }
        let names = (FileManager.default.enumerator(atPath: path)?.allObjects as? [String]) ?? []
        return names.sorted().map { path + "/" + $0 }.filter {
            var directory: ObjCBool = false
            return FileManager.default.fileExists(atPath: $0, isDirectory: &directory) && !directory.boolValue
        }
    }

    static func fail(_ message: String) -> Never {
        printError(message)
        exit(2)
    }
}
#endif
