// Compiled only to anchor the tests' shared precompiled header (cmake/PrecompiledHeaders.cmake).
