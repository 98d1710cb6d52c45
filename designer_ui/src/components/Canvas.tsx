/**
 * The canvas: React Flow bound to the store, drops from the palette, a lit-up call path, focus on demand; each
 * block and connection named for a screen reader, and React Flow's own words in the interface language. Only the
 * blocks and connections in sight are drawn (an 800-block scenario stays quick to drag); Tab still goes through
 * all of them, bringing each into sight.
 */
import {
  Background,
  ControlButton,
  Controls,
  MiniMap,
  ReactFlow,
  useReactFlow,
  useStore,
  useStoreApi,
  type EdgeTypes,
  type IsValidConnection,
  type NodeTypes,
  type Viewport,
} from "@xyflow/react";
import { useCallback, useEffect, useMemo, useRef, useState, type DragEvent, type FocusEvent, type KeyboardEvent } from "react";
import { useI18n } from "../i18n";
import { canvasAriaLabels, canvasLabeller, type LabelledBlock } from "../lib/canvasLabels";
import { canvasItemOf, canvasItemSelector, nextCanvasItem, type CanvasItem } from "../lib/canvasOrder";
import type { BlockNode, ExitEdge } from "../lib/convert";
import { NODE_WIDTH, nodeHeight } from "../lib/layout";
import { motionDuration } from "../lib/motion";
import {
  DEFAULT_OVERLAYS,
  FIT_ZOOM,
  SIGHT_ZOOM,
  boundsOf,
  centreViewport,
  fitViewport,
  openingViewport,
  type Overlays,
  type Rect,
  type Size,
} from "../lib/viewport";
import { drawnNodes, useEditor } from "../store/editor";
import { useFlowStats } from "../store/flowStats";
import { BlockNodeView } from "./BlockNodeView";
import { FLOW_STATS_EDGE, FlowStatsEdge } from "./FlowStatsCanvas";

/** React Flow's own Fit view icon: its button is replaced by one that keeps blocks clear of the minimap. */
function FitViewIcon() {
  return (
    <svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 30" aria-hidden="true">
      <path d="M3.692 4.63c0-.53.4-.938.939-.938h5.215V0H4.708C2.13 0 0 2.054 0 4.63v5.216h3.692V4.631zM27.354 0h-5.2v3.692h5.17c.53 0 .984.4.984.939v5.215H32V4.631A4.624 4.624 0 0027.354 0zm.954 24.83c0 .532-.4.94-.939.94h-5.215v3.768h5.215c2.577 0 4.631-2.13 4.631-4.707v-5.139h-3.692v5.139zm-23.677.94c-.531 0-.939-.4-.939-.94v-5.138H0v5.139c0 2.577 2.13 4.707 4.708 4.707h5.138V25.77H4.631z" />
    </svg>
  );
}

// Declared once at module level: a new object per render makes React Flow remount every node.
const nodeTypes: NodeTypes = { block: BlockNodeView };
const edgeTypes: EdgeTypes = { [FLOW_STATS_EDGE]: FlowStatsEdge };
export const BLOCK_DRAG_TYPE = "application/x-ivrgraph-block";

/**
 * Each store node or edge as handed to React Flow, with its accessible name: the same object while neither
 * changes, so a drag or an edit makes a new one for that block only (a new object re-renders its node). Keyed
 * weakly by the store's object, which a change replaces.
 */
const named = new WeakMap<object, object>();

function withAriaLabel<T extends BlockNode | ExitEdge>(item: T, ariaLabel: string | undefined): T {
  const known = named.get(item) as T | undefined;
  if (known && known.ariaLabel === ariaLabel) return known;
  const shown = { ...item, ariaLabel };
  named.set(item, shown);
  return shown;
}

/**
 * A selector of the blocks as their names need them (ids and data: what a drag, a measure or a selection leaves
 * alone), the same array while those are the same. Checked only when the store's `nodes` change, item by item
 * (zustand's `shallow` builds two maps of 800 entries for each comparison).
 */
function labelledBlocksSelector(): (state: { nodes: BlockNode[] }) => LabelledBlock[] {
  let nodes: BlockNode[] | null = null;
  let blocks: LabelledBlock[] = [];
  return (state) => {
    if (state.nodes === nodes) return blocks;
    nodes = state.nodes;
    const same = nodes.length === blocks.length && nodes.every((n, i) => n.id === blocks[i]!.id && n.data === blocks[i]!.data);
    if (!same) blocks = nodes.map((n) => ({ id: n.id, data: n.data }));
    return blocks;
  };
}

/** A block's box on the canvas: as React Flow measured it, else as the layout guesses it. */
function boxOf(node: BlockNode): Rect {
  return { ...node.position, width: node.measured?.width ?? NODE_WIDTH, height: node.measured?.height ?? nodeHeight(1) };
}

/**
 * The viewport a fit the editor asked for shows (`fitRequest`): after Auto layout (`whole`) every block, as Fit view
 * shows them; for a scenario just opened a readable zoom on its Start block (a graph too big to read whole is not
 * shown whole: the Fit view button still shows it all).
 */
export function viewportAfterFitRequest(
  whole: boolean,
  nodes: Rect[],
  start: Rect | null,
  pane: Size,
  overlays: Overlays,
  zooms = FIT_ZOOM,
): Viewport {
  return whole ? fitViewport(nodes, pane, overlays, zooms) : openingViewport(nodes, start, pane, overlays);
}

/**
 * What the canvas draws over its bottom corners (the minimap, the zoom buttons), as measured on the screen: the
 * size each takes from its corner of the pane. As React Flow draws them by default when not (yet) drawn.
 */
export function canvasOverlays(pane: Element | null | undefined): Overlays {
  const paneBox = pane?.getBoundingClientRect();
  const minimap = pane?.querySelector(".react-flow__minimap")?.getBoundingClientRect();
  const controls = pane?.querySelector(".react-flow__controls")?.getBoundingClientRect();
  if (!paneBox) return DEFAULT_OVERLAYS;
  return {
    bottomRight: minimap ? { width: paneBox.right - minimap.left, height: paneBox.bottom - minimap.top } : DEFAULT_OVERLAYS.bottomRight,
    bottomLeft: controls ? { width: controls.right - paneBox.left, height: paneBox.bottom - controls.top } : DEFAULT_OVERLAYS.bottomLeft,
  };
}

/** Fit view animates up to this many blocks; a bigger scenario jumps to the view, drawing its blocks once. */
const ANIMATED_FIT_BLOCKS = 200;

/**
 * Fit view: every block in sight, none under the minimap or the zoom buttons (React Flow's own fitView pads
 * evenly, and leaves the bottom-right block's exits under the minimap, impossible to wire). For the toolbar's
 * button, the F key and the zoom buttons' own.
 */
export function useFitView(): () => void {
  const flow = useReactFlow<BlockNode>();
  const store = useStoreApi<BlockNode>();
  return useCallback(() => {
    const { width, height, domNode, minZoom, maxZoom } = store.getState();
    const nodes = flow.getNodes();
    const viewport = fitViewport(nodes.map(boxOf), { width, height }, canvasOverlays(domNode), { min: minZoom, max: maxZoom });
    // Zooming out draws the blocks coming into sight: at each frame of an animation, some hundreds at a time.
    void flow.setViewport(viewport, { duration: nodes.length > ANIMATED_FIT_BLOCKS ? 0 : motionDuration(200) });
  }, [flow, store]);
}

/** How many frames an item brought into sight may take to be drawn before it is given the focus. */
const DRAW_FRAMES = 30;

/** Where a block or a connection is on the canvas (a connection: the box around its two blocks), or null. */
function itemBox(flow: ReturnType<typeof useReactFlow<BlockNode, ExitEdge>>, item: CanvasItem): Rect | null {
  if (item.kind === "node") {
    const node = flow.getNode(item.id);
    return node ? boxOf(node) : null;
  }
  const edge = flow.getEdge(item.id);
  const ends = edge ? [flow.getNode(edge.source), flow.getNode(edge.target)] : [];
  return ends.length === 2 && ends.every((n) => n !== undefined) ? boundsOf(ends.map((n) => boxOf(n!))) : null;
}

/**
 * Give a block or a connection the focus, from the keyboard: at once when it is drawn, else once brought into
 * sight and drawn (the canvas draws only what is in sight). False when it is not on the canvas.
 */
export function useFocusCanvasItem(): (item: CanvasItem) => boolean {
  const flow = useReactFlow<BlockNode, ExitEdge>();
  const store = useStoreApi<BlockNode, ExitEdge>();
  return useCallback(
    (item: CanvasItem) => {
      const { width, height, domNode } = store.getState();
      const drawn = domNode?.querySelector<HTMLElement>(canvasItemSelector(item));
      if (drawn) {
        drawn.focus();
        return true;
      }
      const box = itemBox(flow, item);
      if (!box || !domNode) return false;
      void flow.setViewport(centreViewport(box, { width, height }, flow.getZoom(), canvasOverlays(domNode), SIGHT_ZOOM));
      const focusOnceDrawn = (framesLeft: number) => {
        const element = domNode.querySelector<HTMLElement>(canvasItemSelector(item));
        if (element) element.focus();
        else if (framesLeft > 0) requestAnimationFrame(() => focusOnceDrawn(framesLeft - 1));
      };
      requestAnimationFrame(() => focusOnceDrawn(DRAW_FRAMES));
      return true;
    },
    [flow, store],
  );
}

export function Canvas() {
  // Where a drag has the blocks: the canvas alone follows a drag frame by frame (see `dragging` in the store).
  const nodes = useEditor(drawnNodes);
  const edges = useEditor((s) => s.edges);
  const highlight = useEditor((s) => s.highlight);
  const statsShown = useFlowStats((s) => s.overlay !== null);
  const focus = useEditor((s) => s.focus);
  const readOnly = useEditor((s) => s.readOnly);
  const fitRequest = useEditor((s) => s.fitRequest);
  const fitWhole = useEditor((s) => s.fitWhole);
  const onNodesChange = useEditor((s) => s.onNodesChange);
  const onEdgesChange = useEditor((s) => s.onEdgesChange);
  const onConnect = useEditor((s) => s.onConnect);
  const addBlock = useEditor((s) => s.addBlock);
  const setPanel = useEditor((s) => s.setPanel);
  const showBlockPanel = useCallback(() => setPanel("block"), [setPanel]);
  const flow = useReactFlow<BlockNode>();
  const store = useStoreApi<BlockNode>();
  const pane = useRef<HTMLDivElement>(null);
  const fitView = useFitView();
  const fitViewLabel = useStore((s) => s.ariaLabelConfig["controls.fitView.ariaLabel"]);
  const { t, language } = useI18n();
  const catalog = useEditor((s) => s.catalog);
  const problems = useEditor((s) => s.problems);
  // What the names are made of, unchanged by a drag (positions, sizes and the selection are not in them).
  const [selectBlocks] = useState(labelledBlocksSelector);
  const blocks = useEditor(selectBlocks);
  const wording = useMemo(() => ({ t, language, catalog }), [t, language, catalog]);
  const ariaLabelConfig = useMemo(() => canvasAriaLabels(t, readOnly), [t, readOnly]);
  // Each name worked out again only when what it says changed: an edit renames a few items, not 2,500.
  const [labeller] = useState(canvasLabeller);
  const labels = useMemo(
    () => labeller(wording, blocks, edges, problems, highlight.nodes, highlight.callerHungUp ? highlight.last : null),
    [labeller, wording, blocks, edges, problems, highlight],
  );
  const shownNodes = useMemo(() => nodes.map((node) => withAriaLabel(node, labels.blocks.get(node.id))), [nodes, labels]);
  const focusItem = useFocusCanvasItem();

  const isValidConnection: IsValidConnection = useCallback(
    (connection) =>
      useEditor.getState().refusal({
        source: connection.source,
        target: connection.target,
        sourceHandle: connection.sourceHandle ?? null,
        targetHandle: connection.targetHandle ?? null,
      }) === null,
    [],
  );

  const shownEdges = useMemo<ExitEdge[]>(
    () =>
      edges.map((edge) => {
        const lit = highlight.edges.has(edge.id);
        const isError = edge.sourceHandle === "error";
        const className = [lit ? "on-path" : "", isError ? "error-edge" : ""].filter(Boolean).join(" ");
        const labelled = withAriaLabel(edge, labels.edges.get(edge.id));
        const shown = lit || isError ? { ...labelled, className, animated: lit, zIndex: lit ? 10 : 0 } : labelled;
        // With the statistics shown, each edge is drawn with its exit's count (the same smooth step line).
        return statsShown ? { ...shown, type: FLOW_STATS_EDGE } : shown;
      }),
    [edges, highlight, statsShown, labels],
  );

  // A problem or a call's step clicked: its block centred where the minimap and the zoom buttons leave it in sight.
  useEffect(() => {
    if (!focus) return;
    const node = flow.getNode(focus.nodeId);
    if (!node) return;
    const { width, height, domNode, minZoom, maxZoom } = store.getState();
    const zoom = Math.max(flow.getZoom(), 1);
    const viewport = centreViewport(boxOf(node), { width, height }, zoom, canvasOverlays(domNode), { min: minZoom, max: maxZoom });
    void flow.setViewport(viewport, { duration: motionDuration(300) });
  }, [focus, flow, store]);

  useEffect(() => {
    if (fitRequest === 0) return;
    // Give React Flow a moment to measure fresh nodes and take new positions before fitting.
    const timer = setTimeout(() => {
      const nodes = flow.getNodes();
      const box = pane.current?.getBoundingClientRect();
      if (!box || nodes.length === 0) return;
      const start = nodes.find((n) => n.data.blockType === "start");
      const { minZoom, maxZoom } = store.getState();
      const size = { width: box.width, height: box.height };
      const overlays = canvasOverlays(pane.current);
      const viewport = viewportAfterFitRequest(fitWhole, nodes.map(boxOf), start ? boxOf(start) : null, size, overlays, { min: minZoom, max: maxZoom });
      // Shown whole, a big scenario jumps to the view, as Fit view does (each frame of an animation draws hundreds).
      void flow.setViewport(viewport, { duration: fitWhole && nodes.length > ANIMATED_FIT_BLOCKS ? 0 : motionDuration(150) });
    }, 60);
    return () => clearTimeout(timer);
  }, [fitRequest, fitWhole, flow, store]);

  // React Flow brings a block the keyboard lands on into sight, not a connection: this does, clear of the overlays.
  const onFocus = useCallback(
    (event: FocusEvent) => {
      const target = event.target;
      if (!(target instanceof Element) || !target.matches(".react-flow__edge:focus-visible")) return;
      const { width, height, domNode } = store.getState();
      const seen = domNode?.getBoundingClientRect();
      const box = target.getBoundingClientRect();
      if (!seen || (box.left >= seen.left && box.right <= seen.right && box.top >= seen.top && box.bottom <= seen.bottom)) return;
      const from = flow.screenToFlowPosition({ x: box.left, y: box.top });
      const to = flow.screenToFlowPosition({ x: box.right, y: box.bottom });
      const edge = { x: from.x, y: from.y, width: to.x - from.x, height: to.y - from.y };
      const viewport = centreViewport(edge, { width, height }, flow.getZoom(), canvasOverlays(domNode), SIGHT_ZOOM);
      void flow.setViewport(viewport, { duration: motionDuration(200) });
    },
    [flow, store],
  );

  /**
   * Tab and Shift+Tab on a block or a connection: on to the next in the canvas's whole order, brought into sight
   * (the browser's own Tab would reach only those drawn, in sight). At either end the browser takes the focus on.
   * An arrow key moving the focused block out of sight, where it is no longer drawn, brings it back into sight.
   */
  const onKeyDown = useCallback(
    (event: KeyboardEvent) => {
      const item = canvasItemOf(event.target);
      if (!item || event.altKey || event.ctrlKey || event.metaKey) return;
      if (event.key === "Tab") {
        const { nodes, edges } = useEditor.getState();
        const next = nextCanvasItem(edges, nodes, item, event.shiftKey);
        if (next && focusItem(next)) event.preventDefault();
      } else if (item.kind === "node" && event.key.startsWith("Arrow")) {
        const element = event.target as HTMLElement;
        requestAnimationFrame(() => {
          if (!element.isConnected && document.activeElement === document.body) focusItem(item);
        });
      }
    },
    [focusItem],
  );

  const onDragOver = useCallback((event: DragEvent) => {
    if (event.dataTransfer.types.includes(BLOCK_DRAG_TYPE)) {
      event.preventDefault();
      event.dataTransfer.dropEffect = "move";
    }
  }, []);

  const onDrop = useCallback(
    (event: DragEvent) => {
      const type = event.dataTransfer.getData(BLOCK_DRAG_TYPE);
      if (!type) return;
      event.preventDefault();
      // Under the mouse, or nudged to the nearest free spot when that would be over another block.
      const position = flow.screenToFlowPosition({ x: event.clientX, y: event.clientY });
      addBlock(type, { x: position.x - 110, y: position.y - 30 });
    },
    [flow, addBlock],
  );

  return (
    // A region a screen reader can jump to; it takes the focus (tabIndex -1) when the focused block is deleted.
    <div className="canvas" data-testid="canvas" ref={pane} onDragOver={onDragOver} onDrop={onDrop} onFocus={onFocus} onKeyDown={onKeyDown} role="region" aria-label={t("canvas.name")} tabIndex={-1}>
      <ReactFlow<BlockNode, ExitEdge>
        nodes={shownNodes}
        edges={shownEdges}
        nodeTypes={nodeTypes}
        edgeTypes={edgeTypes}
        onNodesChange={onNodesChange}
        onEdgesChange={onEdgesChange}
        onConnect={onConnect}
        onNodeClick={showBlockPanel}
        isValidConnection={isValidConnection}
        deleteKeyCode={null}
        nodesDraggable={!readOnly}
        nodesConnectable={!readOnly}
        multiSelectionKeyCode={["Shift", "Meta", "Control"]}
        // Only what is in sight is drawn: a big scenario is thousands of elements, each restyled, laid out and
        // run through React Flow's store at every frame of a drag. The keyboard reaches the rest (onKeyDown).
        onlyRenderVisibleElements
        minZoom={FIT_ZOOM.min}
        maxZoom={FIT_ZOOM.max}
        defaultEdgeOptions={{ type: "smoothstep" }}
        proOptions={{ hideAttribution: true }}
        ariaLabelConfig={ariaLabelConfig}
      >
        <Background gap={16} />
        <MiniMap pannable zoomable style={{ width: 150, height: 100 }} />
        <Controls showInteractive={false} showFitView={false}>
          <ControlButton className="react-flow__controls-fitview" onClick={fitView} title={fitViewLabel} aria-label={fitViewLabel}>
            <FitViewIcon />
          </ControlButton>
        </Controls>
      </ReactFlow>
    </div>
  );
}
