import HTTPTypes

/// The catalog studio's pages under `/console`: products, their media, inventory and template, the bulk import.
enum StudioRoute: ConsoleAreaRoute {
    case products
    case newProduct
    case createProduct
    case product(id: String)
    case saveProduct(id: String)
    case uploadMedia(id: String)
    case archive(id: String)
    case delete(id: String)
    case inventory(id: String)
    case saveInventory(id: String)
    /// The template editor: the current version (nil) or an older one, read-only.
    case template(id: String, version: Int?)
    case publishTemplate(id: String)
    case tryTemplate(id: String)
    case importPage
    case importCatalog

    init?(method: HTTPRequest.Method, rest: [Substring]) {
        guard let first = rest.first else { return nil }
        let id = rest.count > 1 ? String(rest[1]) : ""
        switch (method, first, rest.count) {
        case (.get, "products", 1): self = .products
        case (.post, "products", 1): self = .createProduct
        case (.get, "products", 2) where id == "new": self = .newProduct
        case (.get, "products", 2): self = .product(id: id)
        case (.post, "products", 2): self = .saveProduct(id: id)
        case (.post, "products", 3) where rest[2] == "media": self = .uploadMedia(id: id)
        case (.post, "products", 3) where rest[2] == "archive": self = .archive(id: id)
        case (.post, "products", 3) where rest[2] == "delete": self = .delete(id: id)
        case (.get, "products", 3) where rest[2] == "inventory": self = .inventory(id: id)
        case (.post, "products", 3) where rest[2] == "inventory": self = .saveInventory(id: id)
        case (.get, "products", 3) where rest[2] == "template": self = .template(id: id, version: nil)
        case (.get, "products", 4) where rest[2] == "template":
            guard let version = Int(rest[3]), version > 0 else { return nil }
            self = .template(id: id, version: version)
        case (.post, "products", 3) where rest[2] == "template": self = .publishTemplate(id: id)
        case (.post, "products", 3) where rest[2] == "try": self = .tryTemplate(id: id)
        case (.get, "import", 1): self = .importPage
        case (.post, "import", 1): self = .importCatalog
        default: return nil
        }
    }

    var isPost: Bool {
        switch self {
        case .products, .newProduct, .product, .inventory, .template, .importPage: false
        default: true
        }
    }

    var sendsFile: Bool {
        switch self {
        case .uploadMedia, .tryTemplate, .importCatalog: true
        default: false
        }
    }

    var label: String {
        switch self {
        case .products, .createProduct: "/console/products"
        case .newProduct: "/console/products/new"
        case .product, .saveProduct: "/console/products/{id}"
        case .uploadMedia: "/console/products/{id}/media"
        case .archive: "/console/products/{id}/archive"
        case .delete: "/console/products/{id}/delete"
        case .inventory, .saveInventory: "/console/products/{id}/inventory"
        case .template(_, nil), .publishTemplate: "/console/products/{id}/template"
        case .template: "/console/products/{id}/template/{version}"
        case .tryTemplate: "/console/products/{id}/try"
        case .importPage, .importCatalog: "/console/import"
        }
    }
}
