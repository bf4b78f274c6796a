namespace MlPipelines.DataPrep.Sources;

/// <summary>The standard class names of CIFAR-10 and CIFAR-100 (in label order, as the datasets' meta files list them).</summary>
public static class CifarClassNames
{
    /// <summary>CIFAR-10's 10 classes.</summary>
    public static IReadOnlyList<string> Cifar10 { get; } = Array.AsReadOnly(
        ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"]);

    /// <summary>CIFAR-100's 100 fine classes.</summary>
    public static IReadOnlyList<string> Cifar100Fine { get; } = Array.AsReadOnly(
    [
        "apple", "aquarium_fish", "baby", "bear", "beaver", "bed", "bee", "beetle", "bicycle", "bottle",
        "bowl", "boy", "bridge", "bus", "butterfly", "camel", "can", "castle", "caterpillar", "cattle",
        "chair", "chimpanzee", "clock", "cloud", "cockroach", "couch", "crab", "crocodile", "cup", "dinosaur",
        "dolphin", "elephant", "flatfish", "forest", "fox", "girl", "hamster", "house", "kangaroo", "keyboard",
        "lamp", "lawn_mower", "leopard", "lion", "lizard", "lobster", "man", "maple_tree", "motorcycle", "mountain",
        "mouse", "mushroom", "oak_tree", "orange", "orchid", "otter", "palm_tree", "pear", "pickup_truck", "pine_tree",
        "plain", "plate", "poppy", "porcupine", "possum", "rabbit", "raccoon", "ray", "road", "rocket",
        "rose", "sea", "seal", "shark", "shrew", "skunk", "skyscraper", "snail", "snake", "spider",
        "squirrel", "streetcar", "sunflower", "sweet_pepper", "table", "tank", "telephone", "television", "tiger", "tractor",
        "train", "trout", "tulip", "turtle", "wardrobe", "whale", "willow_tree", "wolf", "woman", "worm",
    ]);

    /// <summary>CIFAR-100's 20 coarse classes (superclasses).</summary>
    public static IReadOnlyList<string> Cifar100Coarse { get; } = Array.AsReadOnly(
    [
        "aquatic_mammals", "fish", "flowers", "food_containers", "fruit_and_vegetables",
        "household_electrical_devices", "household_furniture", "insects", "large_carnivores", "large_man-made_outdoor_things",
        "large_natural_outdoor_scenes", "large_omnivores_and_herbivores", "medium_mammals", "non-insect_invertebrates", "people",
        "reptiles", "small_mammals", "trees", "vehicles_1", "vehicles_2",
    ]);

    /// <summary>The names of <paramref name="variant"/>'s classes.</summary>
    public static IReadOnlyList<string> For(CifarVariant variant) => variant switch
    {
        CifarVariant.Cifar10 => Cifar10,
        CifarVariant.Cifar100Fine => Cifar100Fine,
        CifarVariant.Cifar100Coarse => Cifar100Coarse,
        _ => throw new ArgumentOutOfRangeException(nameof(variant), variant, "Unknown CIFAR variant."),
    };
}
