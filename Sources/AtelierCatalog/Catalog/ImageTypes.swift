import AtelierCore

/// Image types the asset pipeline can sniff and print.
public enum ImageTypes {
    public static let known: Set<String> = ["png", "jpeg", "webp"]
}
