export { showMesh, VIEWER_BACKGROUNDS, type MeshViewer, type ShowMeshOptions, type ViewerBackground } from './show-mesh.ts';
