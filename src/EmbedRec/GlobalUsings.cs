global using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;
