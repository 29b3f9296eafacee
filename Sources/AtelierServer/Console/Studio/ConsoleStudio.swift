import Atelier
import Foundation
import HTTPTypes
import Hummingbird

/// The catalog studio: products, their media, inventory and templates, and the bulk import. Every role reads;
/// admins and designers change (as the contract's catalog operations allow).
struct ConsoleStudio: Sendable {
    let services: AppServices
    let page: ConsolePage
    let products: ConsoleProducts
    let inventory: ConsoleInventory
    let templates: ConsoleTemplateEditor
    let catalogImport: ConsoleCatalogImport

    init(services: AppServices, page: ConsolePage) {
        self.services = services
        self.page = page
        products = ConsoleProducts(services: services, page: page)
        inventory = ConsoleInventory(services: services, page: page)
        templates = ConsoleTemplateEditor(services: services, page: page)
        catalogImport = ConsoleCatalogImport(services: services, page: page)
    }

    func respond(_ route: StudioRoute, form: ConsoleForm, staff: StaffSessionContext) async throws -> Response {
        if route.isPost, !ConsolePage.editsCatalog(staff.account.role) {
            return page.refuse(staff, "The \(staff.account.role.rawValue) role may look at the catalog but not change it.")
        }
        switch route {
        case .products: return try await products.list(form, staff: staff)
        case .newProduct:
            guard ConsolePage.editsCatalog(staff.account.role) else {
                return page.refuse(staff, "The \(staff.account.role.rawValue) role may look at the catalog but not change it.")
            }
            return try await products.editor(id: nil, staff: staff)
        case .createProduct: return try await products.save(id: nil, form: form, staff: staff)
        case .product(let id):
            let notice = form.text("saved") != nil ? "Saved." : form.text("uploaded") != nil ? "The image was added."
                : form.text("archived") != nil ? "The product is archived: it is no longer offered." : nil
            return try await products.editor(id: id, staff: staff, notice: notice)
        case .saveProduct(let id): return try await products.save(id: id, form: form, staff: staff)
        case .uploadMedia(let id): return try await products.uploadImage(id: id, form: form, staff: staff)
        case .archive(let id): return try await products.archive(id: id, staff: staff)
        case .delete(let id): return try await products.delete(id: id, form: form, staff: staff)
        case .inventory(let id): return try await inventory.page(id: id, staff: staff, notice: form.text("saved") != nil ? "Saved." : nil)
        case .saveInventory(let id): return try await inventory.save(id: id, form: form, staff: staff)
        case .template(let id, let version):
            return try await templates.page(id: id, version: version, staff: staff,
                                            notice: form.text("published") != nil ? "Published." : nil, trySession: form.text("session"))
        case .publishTemplate(let id): return try await templates.publish(id: id, form: form, staff: staff)
        case .tryTemplate(let id): return try await templates.tryIt(id: id, form: form, staff: staff)
        case .importPage:
            guard ConsolePage.editsCatalog(staff.account.role) else {
                return page.refuse(staff, "The \(staff.account.role.rawValue) role may look at the catalog but not change it.")
            }
            return catalogImport.page(staff: staff)
        case .importCatalog: return try await catalogImport.upload(form: form, staff: staff)
        }
    }
}
