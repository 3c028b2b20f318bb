// swift-tools-version:6.2
import PackageDescription

/// coreason-foundry: the collaborative workspace server behind an AI-agent IDE.
///
/// One library target per concern (store, diff, server), module maps for the
/// system C libraries the design names, and one small `foundry` executable.
let package = Package(
    name: "coreason-foundry",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "foundry", targets: ["foundry"]),
        .executable(name: "foundry-bench", targets: ["foundry-bench"]),
        .library(name: "FoundryStore", targets: ["FoundryStore"]),
        .library(name: "FoundryDiff", targets: ["FoundryDiff"]),
        .library(name: "FoundryWatch", targets: ["FoundryWatch"]),
        .library(name: "FoundryServer", targets: ["FoundryServer"]),
        .library(name: "FoundryArchive", targets: ["FoundryArchive"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-websocket.git", from: "2.8.1"),
        .package(url: "https://github.com/vapor/jwt-kit.git", from: "5.8.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.35.2"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        // Ed25519 for the server's signing key (the swift-crypto jwt-kit already builds).
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
        // The identity provider's discovery document and key set (OIDC discovery).
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
    ],
    targets: [
        // System libraries, each a `[system]` module map over a one-line shim header.
        .systemLibrary(name: "CXXHash", pkgConfig: "libxxhash", providers: [.apt(["libxxhash-dev"])]),
        .systemLibrary(name: "CLibCrypto", pkgConfig: "libcrypto", providers: [.apt(["libssl-dev"])]),
        .systemLibrary(name: "CInotifyTools", providers: [.apt(["libinotifytools0-dev"])]),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),

        .target(
            name: "FoundryStore",
            dependencies: [
                "CXXHash",
                "CLibCrypto",
                "FoundryArchive",
                "FoundryDiff",
                .product(name: "Yams", package: "Yams"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .target(name: "FoundryDiff"),
        // Deterministic tar + gzip writer (no file system, no store types).
        .target(name: "FoundryArchive", dependencies: ["CZlib"]),
        .target(name: "FoundryWatch", dependencies: ["FoundryStore", "CInotifyTools", "CXXHash"]),
        .target(
            name: "FoundryServer",
            dependencies: [
                "FoundryStore",
                "FoundryDiff",
                "FoundryWatch",
                "FoundryArchive",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "NIOHTTPTypesHTTP1", package: "swift-nio-extras"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ],
            resources: [.copy("OpenAPI/openapi.yaml"), .copy("OpenAPI/asyncapi.yaml"), .copy("Web/Static")]
        ),
        .executableTarget(
            name: "foundry",
            dependencies: [
                "FoundryServer",
                "FoundryStore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(
            name: "foundry-bench",
            dependencies: [
                "FoundryServer",
                "FoundryStore",
                "FoundryDiff",
                "CInotifyTools",
                .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),

        .testTarget(name: "FoundryStoreTests", dependencies: ["FoundryStore"]),
        .testTarget(name: "FoundryDiffTests", dependencies: ["FoundryDiff"]),
        .testTarget(name: "FoundryArchiveTests", dependencies: ["FoundryArchive"]),
        .testTarget(name: "FoundryWatchTests", dependencies: ["FoundryWatch", "FoundryStore"]),
        .testTarget(name: "FoundryBenchTests", dependencies: [
            "foundry-bench",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .testTarget(
            name: "FoundryServerTests",
            dependencies: [
                "FoundryServer",
                "FoundryStore",
                "FoundryDiff",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"),
                .product(name: "Yams", package: "Yams"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
