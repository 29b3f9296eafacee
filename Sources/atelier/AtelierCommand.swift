import ArgumentParser
import Atelier
import AtelierServer
import Foundation
import Logging
import Metrics
import Prometheus
import ServiceLifecycle

@main
struct AtelierCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "atelier",
        abstract: "Headless commerce backend for made-to-order, customizable products.",
        subcommands: [Serve.self, Worker.self, Migrate.self, SeedDemo.self, APIKeyCommand.self, StaffCommand.self, OpenMail.self],
        defaultSubcommand: Serve.self
    )
}
