namespace MlPipelines.DataPrep.Augmentation;

/// <summary>The image operations RandAugment and TrivialAugment choose from.</summary>
public enum PolicyOperation
{
    /// <summary>Leave the image alone.</summary>
    Identity,

    /// <summary>Horizontal shear.</summary>
    ShearX,

    /// <summary>Vertical shear.</summary>
    ShearY,

    /// <summary>Horizontal translation in pixels.</summary>
    TranslateX,

    /// <summary>Vertical translation in pixels.</summary>
    TranslateY,

    /// <summary>Rotation in degrees.</summary>
    Rotate,

    /// <summary>Brightness factor 1 + magnitude.</summary>
    Brightness,

    /// <summary>Saturation factor 1 + magnitude.</summary>
    Color,

    /// <summary>Contrast factor 1 + magnitude.</summary>
    Contrast,

    /// <summary>Sharpness factor 1 + magnitude.</summary>
    Sharpness,

    /// <summary>Keep this many bits.</summary>
    Posterize,

    /// <summary>Invert values above this threshold.</summary>
    Solarize,

    /// <summary>Stretch each channel to the full range.</summary>
    AutoContrast,

    /// <summary>Equalise each channel's histogram.</summary>
    Equalize,
}
