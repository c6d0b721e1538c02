package org.beyondsoftmax.ops;

import org.tensorflow.ConcreteFunction;
import org.tensorflow.DeviceSpec;
import org.tensorflow.ExecutionEnvironment;
import org.tensorflow.Operation;
import org.tensorflow.OperationBuilder;
import org.tensorflow.op.Ops;
import org.tensorflow.op.Scope;

/**
 * A scope that puts every op it builds on one device, for gradient rules: TF-Java 1.1.0 hands a
 * gradient function a {@code NativeScope} whose {@code withDevice} reaches only the ops TensorFlow's
 * C++ code builds, never those built from Java ({@code NativeScope.apply} does not set the device),
 * so without this a custom gradient lands wherever the placer's default is — on a parameter-server
 * cluster, the worker, which would pull the shard's [N, classes] tensors over the network.
 */
final class DeviceScope implements Scope {
  private final Scope delegate;
  private final String device;

  private DeviceScope(Scope delegate, String device) {
    this.delegate = delegate;
    this.device = device;
  }

  /**
   * {@code tf} with every op it builds placed on {@code device} (as {@link
   * org.tensorflow.GraphOperation#device()} writes it); {@code tf} itself when the device is empty.
   */
  static Ops on(Ops tf, String device) {
    if (device == null || device.isEmpty()) {
      return tf;
    }
    return wrap(new DeviceScope(tf.scope(), device));
  }

  /** Ops over {@code scope}: {@code Ops.create} takes an environment and uses its base scope. */
  private static Ops wrap(DeviceScope scope) {
    ExecutionEnvironment env = scope.env();
    return Ops.create(new ExecutionEnvironment() {
      @Override
      public OperationBuilder opBuilder(String type, String name, Scope s) {
        return env.opBuilder(type, name, s);
      }

      @Override
      public void attachFunction(ConcreteFunction function) {
        env.attachFunction(function);
      }

      @Override
      public void checkInput(Operation input) {
        env.checkInput(input);
      }

      @Override
      public Types environmentType() {
        return env.environmentType();
      }

      @Override
      public Scope baseScope() {
        return scope;
      }

      @Override
      public boolean isInitializer(Operation op) {
        return env.isInitializer(op);
      }
    });
  }

  @Override
  public ExecutionEnvironment env() {
    return delegate.env();
  }

  @Override
  public Scope withSubScope(String childScopeName) {
    return new DeviceScope(delegate.withSubScope(childScopeName), device);
  }

  @Override
  public Scope withName(String opName) {
    return new DeviceScope(delegate.withName(opName), device);
  }

  @Override
  public Scope withNameAsSubScope(String defaultName) {
    return new DeviceScope(delegate.withNameAsSubScope(defaultName), device);
  }

  @Override
  public Scope withDevice(DeviceSpec newDevice) {
    return new DeviceScope(delegate.withDevice(newDevice), newDevice.toString());
  }

  @Override
  public Scope withInitScope() {
    return delegate.withInitScope();
  }

  @Override
  public String makeOpName(String defaultName) {
    return delegate.makeOpName(defaultName);
  }

  @Override
  public String makeUnique(String id) {
    return delegate.makeUnique(id);
  }

  @Override
  public void refreshNames() {
    delegate.refreshNames();
  }

  @Override
  public Scope withControlDependencyOps(Iterable<Operation> controls) {
    return new DeviceScope(delegate.withControlDependencyOps(controls), device);
  }

  @Override
  public OperationBuilder apply(OperationBuilder builder) {
    return delegate.apply(builder).setDevice(device);
  }

  @Override
  public String getDeviceString() {
    return device;
  }

  @Override
  public boolean isInit() {
    return delegate.isInit();
  }
}
