import AtelierCore

/// Fonts the renderer and the print partners have; a template may only offer these.
public enum FontCatalog {
    public static let families: [String] = [
        "Inter", "Roboto Slab", "Playfair Display", "Great Vibes", "Pacifico", "Source Code Pro", "Cinzel", "Oswald",
    ]
}
