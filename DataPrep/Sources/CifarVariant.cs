namespace MlPipelines.DataPrep.Sources;

/// <summary>Which CIFAR binary format the batch files are in, and for CIFAR-100 which label to use.</summary>
public enum CifarVariant
{
    /// <summary>CIFAR-10: records of 1 label byte and 3072 pixel bytes; 10 classes.</summary>
    Cifar10,

    /// <summary>CIFAR-100 with its 100 fine labels (records: coarse byte, fine byte, 3072 pixel bytes).</summary>
    Cifar100Fine,

    /// <summary>CIFAR-100 with its 20 coarse labels (superclasses).</summary>
    Cifar100Coarse,
}
