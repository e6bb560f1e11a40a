// Vite's client types: stylesheet imports and import.meta.env.
/// <reference types="vite/client" />
