import functools
import importlib.util
import os
import sys
import tempfile

# The kernels that execute the pages. Python-level output (print, warnings,
# tracebacks) is captured into the cells; what is written straight to the
# process's file descriptors stays on the build console, out of the cells.
c.IPKernelApp.capture_fd_output = False  # noqa: F821 (c is IPython's config object)

# Quiet ipykernel's warning, for every kernel, that it talks over unencrypted TCP
# (the transport nbclient's kernels are given; local only). Errors still show.
c.IPKernelApp.log_level = "ERROR"  # noqa: F821

# Figures as SVG: sharp at any zoom and on any screen, and lighter than PNG for charts.
c.InlineBackend.figure_formats = {"svg"}  # noqa: F821


# TensorFlow's C++ start-up lines (absl's "before InitializeLog" notice, oneDNN,
# CUDA probing) are logged while its libraries load, before TF_CPP_MIN_LOG_LEVEL
# takes effect. So fd 2 goes to a file only while the kernel first imports
# tensorflow, and that file is replayed onto the console if the import fails.
def _import_quietly(exec_module, module):
    with tempfile.TemporaryFile() as caught:
        console = os.dup(2)
        os.dup2(caught.fileno(), 2)
        try:
            exec_module(module)
        except BaseException:
            caught.seek(0)
            os.write(console, caught.read())
            raise
        finally:
            os.dup2(console, 2)
            os.close(console)


class _QuietTensorFlowImport:
    """A meta path finder that wraps the first import of tensorflow, then leaves."""

    @classmethod
    def find_spec(cls, name, path=None, target=None):
        if name != "tensorflow":
            return None
        sys.meta_path.remove(cls)
        spec = importlib.util.find_spec(name)
        if spec is not None and spec.loader is not None:
            quiet = functools.partial(_import_quietly, spec.loader.exec_module)
            spec.loader.exec_module = quiet
        return spec


sys.meta_path.insert(0, _QuietTensorFlowImport)
