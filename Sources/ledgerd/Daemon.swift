import ArgumentParser
import Foundation
import LedgerEngine
import LedgerJSON
import LedgerServer
import LedgerWire
import Logging

/// One run of the daemon: open the engine, serve, and shut down cleanly on
/// SIGTERM/SIGINT; reload roles on SIGHUP; tell systemd where it stands.
struct Daemon {
    let settings: LedgerdConfiguration
    let configPath: String?
    let logger: Logger

    func run() async throws {
        let notifier = SystemdNotifier.fromProcessEnvironment()
        let signals = SignalWatcher()
        let activation: SocketActivation?
        do {
            activation = try SocketActivation.takeFromEnvironment()
        } catch {
            logger.critical("socket activation: \(error)")
            throw ExitCode(1)
        }

        var engineConfiguration = EngineConfiguration(dataDirectory: settings.dataDirectory, origin: settings.origin!)
        engineConfiguration.recordBytesMax = min(engineConfiguration.recordBytesMax, settings.requestBytesMax)
        let engine: LedgerEngine
        do {
            _ = notifier.status("opening \(settings.dataDirectory)")
            engine = try LedgerEngine(configuration: engineConfiguration, logger: logger) { done, total in
                _ = notifier.status("replaying events \(done)/\(total)")
            }
        } catch {
            logger.critical("cannot open the ledger in \(settings.dataDirectory): \(error)")
            throw ExitCode(1)
        }

        let (policy, warnings) = AccessPolicy.resolve(settings.roleGrants)
        for warning in warnings { logger.warning("\(warning)") }
        let box = ServerBox()
        let configPath = self.configPath
        let logger = self.logger
        let handler = EngineRequestHandler(
            engine: engine, logger: logger,
            serverStatus: {
                guard let stats = box.server?.statistics else { return ["version": .string(LedgerVersion.string)] }
                return ["connections": .int(Int64(stats.connections)), "requests": .int(Int64(stats.requests)),
                        "requestsOnEventLoop": .int(Int64(stats.requestsOnEventLoop)),
                        "version": .string(LedgerVersion.string)]
            },
            reload: {
                guard let server = box.server else { return .failure(WireError(.unavailable, "not serving yet")) }
                return Self.reloadRoles(server: server, configPath: configPath, logger: logger)
            })
        let server = LedgerSocketServer(
            configuration: .init(settings, activation: activation), handler: handler, policy: policy, logger: logger)
        box.server = server
        do {
            try await server.start()
        } catch {
            logger.critical("cannot listen: \(error)")
            engine.shutdown()
            throw ExitCode(1)
        }
        let size = (try? engine.read { try $0.size() }) ?? 0
        logger.notice("serving \(size) events from \(settings.dataDirectory) on \(activation == nil ? settings.socketPath : "the socket from systemd")")
        _ = notifier.ready(status: "serving \(size) events")

        let watchdog = Task {
            guard let interval = notifier.watchdogInterval else { return }
            while !Task.isCancelled {
                _ = notifier.watchdog()
                try? await Task.sleep(for: interval / 2)
            }
        }
        // `systemctl status ledgerd` shows the size, and within two seconds
        // when appends fail (a full disk) or writes halt, and when they recover.
        let health = Task {
            var shown = "serving \(size) events"
            while !Task.isCancelled {
                let line = engine.healthLine
                if line != shown {
                    _ = notifier.status(line)
                    shown = line
                }
                try? await Task.sleep(for: .seconds(2))
            }
        }

        for await signal in signals.signals {
            if signal == .hangup {
                _ = notifier.reloading()
                _ = Self.reloadRoles(server: server, configPath: configPath, logger: logger)
                // The health line again: the health task sends only changes.
                _ = notifier.ready(status: "roles reloaded; \(engine.healthLine)")
                continue
            }
            logger.notice("received \(signal == .terminate ? "SIGTERM" : "SIGINT"): shutting down")
            break
        }
        health.cancel()
        await health.value  // so that it cannot overwrite the stopping status
        _ = notifier.stopping(status: "finishing in-flight requests")
        watchdog.cancel()
        await server.shutdown()
        engine.shutdown()
        signals.cancel()
        logger.notice("stopped")
    }

    /// Re-reads the config file's [roles] and swaps the policy in.
    static func reloadRoles(server: LedgerSocketServer, configPath: String?, logger: Logger) -> Result<JSONValue, WireError> {
        guard let configPath else {
            logger.notice("reload: no --config was given; the role map stays (root only)")
            return .success(.object(["reloaded": false, "reason": "no config file"]))
        }
        do {
            let settings = try LedgerdConfiguration.load(path: configPath)
            let (policy, warnings) = AccessPolicy.resolve(settings.roleGrants)
            for warning in warnings { logger.warning("\(warning)") }
            server.reload(policy)
            logger.notice("roles reloaded from \(configPath): \(settings.roleGrants.count) grants")
            return .success(.object(["reloaded": true, "grants": .int(Int64(settings.roleGrants.count))]))
        } catch {
            logger.error("reload failed, keeping the old roles: \(error)")
            return .failure(WireError(.badArguments, "reload failed, keeping the old roles: \(error)"))
        }
    }
}

/// Lets the handler reach the server it is installed in (built after it).
final class ServerBox: @unchecked Sendable {
    // @unchecked: written once before the server starts, read afterwards.
    var server: LedgerSocketServer?
}
