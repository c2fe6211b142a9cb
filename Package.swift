// swift-tools-version: 6.1
// The ledger: an event-sourced, tamper-evident audit ledger daemon.
// Module graph (dependencies point one way; see docs/ARCHITECTURE.md):
//
//   ledgerd   → LedgerServer → LedgerEngine → LedgerDomain → LedgerJSON   (pure)
//                   ↓              ├────────→ LedgerMerkle               (pure: RFC 9162, signed notes)
//              LedgerWire          └────────→ LedgerStore → CLMDB        (the only module that touches LMDB)
//   ledgerctl → LedgerClient → LedgerWire, LedgerMerkle (offline verification needs no daemon)
import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
    name: "ledger",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "ledgerd", targets: ["ledgerd"]),
        .executable(name: "ledgerctl", targets: ["ledgerctl"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-collections.git", from: "1.6.0"),
        .package(url: "https://github.com/x-sheep/swift-property-based.git", from: "2.0.1"),
    ],
    targets: [
        // LMDB from Debian's liblmdb-dev, through pkg-config.
        .systemLibrary(
            name: "CLMDB",
            pkgConfig: "lmdb",
            providers: [.apt(["liblmdb-dev"])]
        ),
        // Pure: the JSON value, a strict parser with limits, RFC 8785 canonical form.
        .target(name: "LedgerJSON", swiftSettings: swiftSettings),
        // Pure: RFC 9162 Merkle tree math and proofs, C2SP checkpoints and signed notes.
        .target(
            name: "LedgerMerkle",
            dependencies: [.product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: swiftSettings
        ),
        // Pure: a deterministic generator of realistic ledgers, and its own model of the expected report.
        .target(name: "LedgerDemo", dependencies: ["LedgerJSON"], swiftSettings: swiftSettings),
        // Pure: event types, validation, domain rules, projections, reports.
        // State maps are persistent hash tries (TreeDictionary): publishing a
        // snapshot after each commit shares structure instead of copying it.
        .target(
            name: "LedgerDomain",
            dependencies: ["LedgerJSON", .product(name: "HashTreeCollections", package: "swift-collections")],
            exclude: ["README.md"],
            swiftSettings: swiftSettings
        ),
        // Storage engine: the LMDB environment, the event log, tree nodes, checkpoints.
        .target(
            name: "LedgerStore",
            dependencies: ["CLMDB", "LedgerJSON", "LedgerMerkle"],
            swiftSettings: swiftSettings
        ),
        // The ledger as a service: group commit, rules at append time, queries, verification.
        .target(
            name: "LedgerEngine",
            dependencies: [
                "LedgerStore", "LedgerDomain", "LedgerMerkle", "LedgerJSON",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // The socket protocol: request and response frames (pure; shared by server and client).
        .target(name: "LedgerWire", dependencies: ["LedgerJSON"], swiftSettings: swiftSettings),
        // The daemon's shell: Unix socket, peer credentials, roles, systemd integration.
        .target(
            name: "LedgerServer",
            dependencies: [
                "LedgerWire", "LedgerEngine", "LedgerJSON",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // A blocking Unix-socket client and the offline verifier used by ledgerctl.
        .target(
            name: "LedgerClient",
            dependencies: [
                "LedgerWire", "LedgerJSON", "LedgerMerkle",
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "ledgerd",
            dependencies: [
                "LedgerServer", "LedgerEngine", "LedgerStore", "LedgerMerkle", "LedgerWire", "LedgerJSON",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "ledgerctl",
            dependencies: [
                "LedgerClient", "LedgerWire", "LedgerJSON", "LedgerMerkle", "LedgerDemo",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "ledger-bench",
            dependencies: [
                "LedgerEngine", "LedgerStore", "LedgerDomain", "LedgerJSON", "LedgerMerkle", "LedgerDemo", "LedgerClient",
                "LedgerServer", "LedgerWire", "CLMDB",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Benchmarks/ledger-bench",
            swiftSettings: swiftSettings
        ),
        // Hostile inputs (scripts/fuzz.sh builds it with libFuzzer; a normal
        // build replays inputs, as the tests do with the seeds and findings).
        .target(name: "CFuzzerDriver", path: "Fuzz/CFuzzerDriver"),
        .executableTarget(
            name: "ledger-fuzz",
            dependencies: ["CFuzzerDriver", "LedgerClient", "LedgerDemo", "LedgerDomain", "LedgerJSON", "LedgerMerkle",
                           "LedgerWire"],
            path: "Fuzz/ledger-fuzz",
            swiftSettings: swiftSettings
        ),

        .testTarget(name: "LedgerJSONTests", dependencies: ["LedgerJSON"], resources: [.copy("Vectors")]),
        .testTarget(name: "LedgerMerkleTests", dependencies: ["LedgerMerkle", .product(name: "Crypto", package: "swift-crypto")], resources: [.copy("Vectors")]),
        .testTarget(
            name: "LedgerDomainTests",
            dependencies: ["LedgerDomain", "LedgerJSON", .product(name: "PropertyBased", package: "swift-property-based")],
            resources: [.copy("Fixtures")]
        ),
        .testTarget(name: "LedgerDemoTests", dependencies: ["LedgerDemo", "LedgerJSON"]),
        .testTarget(name: "LedgerStoreTests", dependencies: ["LedgerStore", "LedgerMerkle", "LedgerJSON", "LedgerDemo", "CLMDB"]),
        .testTarget(
            name: "LedgerEngineTests",
            dependencies: [
                "LedgerEngine", "LedgerDomain", "LedgerStore", "LedgerMerkle", "LedgerJSON", "LedgerDemo",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(
            name: "LedgerServerTests",
            dependencies: [
                "LedgerServer", "LedgerWire", "LedgerClient", "LedgerJSON", "LedgerMerkle", "LedgerDomain",
                .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        .testTarget(
            name: "EndToEndTests",
            dependencies: [
                "LedgerClient", "LedgerWire", "LedgerJSON", "LedgerMerkle", "LedgerDemo",
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
    ]
)
