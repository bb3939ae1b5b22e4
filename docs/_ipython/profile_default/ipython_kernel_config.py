# The kernels that execute the pages: TensorFlow's C++ start-up lines
# (oneDNN, CUDA probing, absl) are written straight to the process's stderr.
# Leave them there, on the build console, instead of copying them into the
# first cell's output. Python-level output (print, warnings, tracebacks) is
# still captured into the cells.
c.IPKernelApp.capture_fd_output = False  # noqa: F821 (c is IPython's config object)

# Figures as SVG: sharp at any zoom and on any screen, and lighter than PNG for charts.
c.InlineBackend.figure_formats = {"svg"}  # noqa: F821
