import Atelier
import AtelierAPI
import Foundation
import OpenAPIRuntime

extension APIHandlers {
    func listShippingMethods(_ input: Operations.ListShippingMethods.Input) async throws -> Operations.ListShippingMethods.Output {
        let store = services.shippingMethods
        let methods = try await database.withConnection { db in try await store.all(on: db) }
        return .ok(.init(body: .json(.init(items: methods.map(Components.Schemas.ShippingMethod.init)))))
    }

    func createShippingMethod(_ input: Operations.CreateShippingMethod.Input) async throws -> Operations.CreateShippingMethod.Output {
        guard case .json(let body) = input.body else { throw AtelierError.badRequest("Send a JSON body.") }
        let store = services.shippingMethods
        let method = try await database.transaction { db in try await store.create(ShippingMethod(body), on: db) }
        return .created(.init(body: .json(.init(method))))
    }

    func getShippingMethod(_ input: Operations.GetShippingMethod.Input) async throws -> Operations.GetShippingMethod.Output {
        let (store, code) = (services.shippingMethods, input.path.methodCode)
        guard let method = try await database.withConnection({ db in try await store.find(code: code, on: db) }) else {
            throw AtelierError.notFound("Shipping method '\(code)'")
        }
        return .ok(.init(body: .json(.init(method))))
    }

    func replaceShippingMethod(_ input: Operations.ReplaceShippingMethod.Input) async throws -> Operations.ReplaceShippingMethod.Output {
        guard case .json(let body) = input.body else { throw AtelierError.badRequest("Send a JSON body.") }
        let (store, code) = (services.shippingMethods, input.path.methodCode)
        let method = try await database.transaction { db in try await store.replace(code: code, with: ShippingMethod(body), on: db) }
        return .ok(.init(body: .json(.init(method))))
    }

    func deleteShippingMethod(_ input: Operations.DeleteShippingMethod.Input) async throws -> Operations.DeleteShippingMethod.Output {
        let (store, code) = (services.shippingMethods, input.path.methodCode)
        try await database.transaction { db in try await store.delete(code: code, on: db) }
        return .noContent(.init())
    }

    func listTaxRates(_ input: Operations.ListTaxRates.Input) async throws -> Operations.ListTaxRates.Output {
        let store = services.taxRates
        let rates = try await database.withConnection { db in try await store.all(on: db) }
        return .ok(.init(body: .json(.init(items: rates.map(Components.Schemas.TaxRate.init)))))
    }

    func createTaxRate(_ input: Operations.CreateTaxRate.Input) async throws -> Operations.CreateTaxRate.Output {
        guard case .json(let body) = input.body else { throw AtelierError.badRequest("Send a JSON body.") }
        let store = services.taxRates
        let rate = try await database.transaction { db in try await store.create(TaxRateInput(body), on: db) }
        return .created(.init(body: .json(.init(rate))))
    }

    func getTaxRate(_ input: Operations.GetTaxRate.Input) async throws -> Operations.GetTaxRate.Output {
        let (store, id) = (services.taxRates, input.path.taxRateId)
        guard let rate = try await database.withConnection({ db in try await store.find(id: id, on: db) }) else {
            throw AtelierError.notFound("Tax rate '\(id)'")
        }
        return .ok(.init(body: .json(.init(rate))))
    }

    func replaceTaxRate(_ input: Operations.ReplaceTaxRate.Input) async throws -> Operations.ReplaceTaxRate.Output {
        guard case .json(let body) = input.body else { throw AtelierError.badRequest("Send a JSON body.") }
        let (store, id) = (services.taxRates, input.path.taxRateId)
        let rate = try await database.transaction { db in try await store.replace(id: id, with: TaxRateInput(body), on: db) }
        return .ok(.init(body: .json(.init(rate))))
    }

    func deleteTaxRate(_ input: Operations.DeleteTaxRate.Input) async throws -> Operations.DeleteTaxRate.Output {
        let (store, id) = (services.taxRates, input.path.taxRateId)
        try await database.transaction { db in try await store.delete(id: id, on: db) }
        return .noContent(.init())
    }
}

extension ShippingMethod {
    init(_ input: Components.Schemas.ShippingMethod) {
        self.init(
            code: input.code, name: input.name, description: input.description ?? "", active: input.active ?? true,
            position: input.position ?? 0,
            rates: input.rates.map { rate in
                Rate(country: rate.country, region: rate.region, baseAmount: rate.baseAmount ?? 0, perItemAmount: rate.perItemAmount ?? 0,
                     weightBrackets: (rate.weightBrackets ?? []).map { WeightBracket(upToGrams: $0.upToGrams, amount: $0.amount) },
                     freeAbove: rate.freeAbove)
            }
        )
    }
}

extension Components.Schemas.ShippingMethod {
    init(_ method: ShippingMethod) {
        self.init(
            code: method.code, name: method.name, description: method.description, active: method.active, position: method.position,
            rates: method.rates.map { rate in
                .init(country: rate.country, region: rate.region, baseAmount: rate.baseAmount, perItemAmount: rate.perItemAmount,
                      weightBrackets: rate.weightBrackets.map { .init(upToGrams: $0.upToGrams, amount: $0.amount) },
                      freeAbove: rate.freeAbove)
            }
        )
    }
}

extension TaxRateInput {
    init(_ input: Components.Schemas.TaxRateInput) {
        self.init(name: input.name, country: input.country, region: input.region, rate: input.rate,
                  appliesToShipping: input.appliesToShipping ?? true)
    }
}

extension Components.Schemas.TaxRate {
    init(_ rate: TaxRate) {
        self.init(id: rate.id, name: rate.name, country: rate.country, region: rate.region,
                  rate: Atelier.TaxRate.percent(fromPpm: rate.ratePpm), appliesToShipping: rate.appliesToShipping)
    }
}
